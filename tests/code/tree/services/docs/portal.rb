# Docs Portal: answers questions about uploaded PDFs.
class Portal
  HEADERS = { "X-Title" => "Docs Portal", "HTTP-Referer" => "https://docs.acme.example" }.freeze

  def ask(client, pdf)
    client.chat(model: "google/gemini-2.5-flash", headers: HEADERS, file: pdf)
  end
end
