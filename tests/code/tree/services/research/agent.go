package research

import "net/http"

// Acme Research calls deepseek/deepseek-r1-0528 for long answers.
var defaults = Options{
	Model:     "deepseek/deepseek-r1-0528",
	WebSearch: true,
}

func decorate(req *http.Request) {
	req.Header.Set("X-Title", "Acme Research")
	req.Header.Set("HTTP-Referer", "https://research.acme.example")
}
