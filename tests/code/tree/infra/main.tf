# Summaries for the reporting stack.
locals {
  summary_model = "google/gemini-2.5-flash"
}

resource "kubernetes_secret" "batch" {
  metadata {
    name = "batch-pipeline"
  }
}
