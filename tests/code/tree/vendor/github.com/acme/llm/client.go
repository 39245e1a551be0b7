package llm

const Model = "openai/gpt-4.5-preview"
const Key = "batch-pipeline"
