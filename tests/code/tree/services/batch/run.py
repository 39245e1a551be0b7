"""Nightly batch summariser (owned by the data team)."""
import os

from openai import OpenAI

# The cost review once said: model = "openai/gpt-4.5-preview" is expensive here.
client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["BATCH_PIPELINE_KEY"])

model = "openai/gpt-4.5-preview"
DRAFT_MODEL = "openai/gpt-4.5-preview-mini"  # a longer slug: not the flagged model


def summarise(text):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": text}])
