"""Monthly report summaries: another caller of the same model, with its own key."""
import os

model = "openai/gpt-4.5-preview"
api_key = os.environ["REPORTS_KEY"]
