// table_format.cpp: the text forms of a table — the aligned human table fitted to a
// width, CSV (RFC 4180), JSON, Markdown — and writing them to a file.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "host/core/error.hpp"
#include "host/core/file_io.hpp"
#include "host/core/json_text.hpp"
#include "host/core/table.hpp"

namespace orscript {
namespace {

constexpr const char* kNullText = "\xE2\x80\x93";  // "–"
constexpr std::size_t kMaxTextWidth = 40;

std::string shortest(double v) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

// "1234567.891" -> "1,234,567.891" (the integer part only is grouped).
std::string group_thousands(std::string s) {
  std::size_t start = (!s.empty() && s[0] == '-') ? 1 : 0;
  std::size_t end = s.find('.');
  if (end == std::string::npos) end = s.size();
  std::string out = s.substr(0, start);
  for (std::size_t i = start; i < end; ++i) {
    if (i > start && (end - i) % 3 == 0) out.push_back(',');
    out.push_back(s[i]);
  }
  out.append(s, end, std::string::npos);
  return out;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s == "-0" || s.find_first_not_of("-0.") == std::string::npos) {
    if (s[0] == '-') s.erase(0, 1);  // no "-0.00"
  }
  return s;
}

std::string human_number(double v) {
  if (std::fabs(v) < 1e15 && v == std::floor(v)) return group_thousands(fixed(v, 0));
  if (std::fabs(v) >= 1) return group_thousands(fixed(v, 2));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string human_currency(double v) {
  double a = std::fabs(v);
  std::string body;
  if (a >= 0.01 || a == 0) {
    body = group_thousands(fixed(a, 2));
  } else {
    body = fixed(a, 6);
    while (body.size() > 4 && body.back() == '0') body.pop_back();
    if (body == "0.00") {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2e", a);
      body = buf;
    }
  }
  return (v < 0 && body != "0.00" ? "-$" : "$") + body;
}

std::string human_time(double t, const std::string& granularity) {
  std::string iso = iso_time(t, granularity);
  if (iso.size() == 10) return iso;
  // "YYYY-MM-DDTHH:MM:SS[.mmm]Z" -> "YYYY-MM-DD HH:MM" for hour/minute buckets, else with seconds.
  iso[10] = ' ';
  if (granularity == "hour" || granularity == "minute") return iso.substr(0, 16);
  return iso.substr(0, 19);
}

std::string human_cell(const Column& c, std::size_t i) {
  if (c.is_null(i)) return kNullText;
  switch (c.type) {
    case ColumnType::string: return c.str[i];
    case ColumnType::boolean: return c.num[i] != 0 ? "true" : "false";
    case ColumnType::time: return human_time(c.num[i], c.granularity);
    case ColumnType::number: break;
  }
  double v = c.num[i];
  switch (c.format) {
    case DisplayFormat::currency: return human_currency(v);
    case DisplayFormat::percent: return fixed(v * 100, 1) + "%";
    case DisplayFormat::latency: return group_thousands(fixed(v, 0)) + " ms";
    case DisplayFormat::throughput: return group_thousands(fixed(v, 1)) + " tok/s";
    case DisplayFormat::text:
    case DisplayFormat::date: return shortest(v);
    case DisplayFormat::number: break;
  }
  return human_number(v);
}

std::string raw_cell(const Column& c, std::size_t i) {
  if (c.is_null(i)) return "";
  switch (c.type) {
    case ColumnType::string: return c.str[i];
    case ColumnType::boolean: return c.num[i] != 0 ? "true" : "false";
    case ColumnType::time: return iso_time(c.num[i], c.granularity);
    case ColumnType::number: return shortest(c.num[i]);
  }
  return "";
}

bool right_aligned(const Column& c) { return c.type == ColumnType::number; }

// Display width: code points (continuation bytes do not count).
std::size_t width_of(std::string_view s) {
  std::size_t w = 0;
  for (unsigned char ch : s)
    if ((ch & 0xC0) != 0x80) ++w;
  return w;
}

// Cuts to `w` columns with a trailing "…".
std::string ellipsize(const std::string& s, std::size_t w) {
  if (width_of(s) <= w) return s;
  if (w == 0) return "";
  std::string out;
  std::size_t cols = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char ch = static_cast<unsigned char>(s[i]);
    if ((ch & 0xC0) != 0x80) {
      if (cols == w - 1) break;
      ++cols;
    }
    out.push_back(s[i]);
  }
  return out + "\xE2\x80\xA6";
}

void pad(std::string& out, const std::string& s, std::size_t w, bool right) {
  std::size_t n = width_of(s);
  std::size_t fill = n < w ? w - n : 0;
  if (right) out.append(fill, ' ');
  out += s;
  if (!right) out.append(fill, ' ');
}

std::string count_text(std::size_t n) { return group_thousands(std::to_string(n)); }

void notes(const Table& t, std::string& out, const std::string& prefix) {
  for (auto& w : t.meta.warnings) out += prefix + "warning: " + w + "\n";
  if (t.meta.truncated) {
    auto n = t.meta.row_limit();
    out += prefix + "truncated: the API stopped at its row limit" +
           (n ? " (" + count_text(static_cast<std::size_t>(*n)) + " rows)" : std::string()) +
           "; totals over this table are partial\n";
  }
  if (t.meta.cached_at)
    out += prefix + "cached: served from the API's result cache (" +
           iso_time(static_cast<double>(*t.meta.cached_at) / 1000.0, "second") + ")\n";
}

void csv_field(std::string& out, const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) {
    out += s;
    return;
  }
  out.push_back('"');
  for (char ch : s) {
    if (ch == '"') out.push_back('"');
    out.push_back(ch);
  }
  out.push_back('"');
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|') out += "\\|";
    else if (ch == '\n' || ch == '\r') out += ' ';
    else out.push_back(ch);
  }
  return out;
}

}  // namespace

std::string Table::format(const FormatOptions& options) const {
  std::string out;
  if (columns_.empty()) {
    out = "(empty table)\n";
    notes(*this, out, "");
    return out;
  }
  std::size_t n = row_count();
  std::size_t shown = std::min(n, std::max<std::size_t>(options.max_rows, 1));
  std::size_t nc = columns_.size();
  std::vector<std::vector<std::string>> cells(nc);
  std::vector<std::size_t> w(nc), header_w(nc);
  for (std::size_t c = 0; c < nc; ++c) {
    header_w[c] = width_of(columns_[c].name);
    w[c] = header_w[c];
    cells[c].reserve(shown);
    for (std::size_t r = 0; r < shown; ++r) {
      cells[c].push_back(human_cell(columns_[c], r));
      std::size_t cw = width_of(cells[c].back());
      if (columns_[c].is_text()) cw = std::min(cw, kMaxTextWidth);
      w[c] = std::max(w[c], cw);
    }
  }
  // Fit: shrink the widest text columns down to 24, drop columns from the right, and
  // only then shrink text further (down to 8).
  std::size_t limit = static_cast<std::size_t>(std::max(options.width, 20));
  auto total = [&](std::size_t k) {
    std::size_t s = 0;
    for (std::size_t c = 0; c < k; ++c) s += w[c];
    return s + 2 * (k - 1);
  };
  std::size_t visible = nc;
  auto shrink_text = [&](std::size_t floor) {
    while (total(visible) > limit) {
      std::size_t widest = nc;
      for (std::size_t c = 0; c < visible; ++c)
        if (columns_[c].is_text() && w[c] > floor && (widest == nc || w[c] > w[widest])) widest = c;
      if (widest == nc) break;
      --w[widest];
    }
  };
  shrink_text(24);
  while (visible > 1 && total(visible) > limit) --visible;
  shrink_text(8);
  if (total(visible) > limit) w[0] = std::max<std::size_t>(limit, 4);  // one very wide column

  auto line = [&](auto&& cell_of) {
    std::string l;
    for (std::size_t c = 0; c < visible; ++c) {
      if (c) l += "  ";
      pad(l, ellipsize(cell_of(c), w[c]), w[c], right_aligned(columns_[c]));
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line([&](std::size_t c) { return columns_[c].name; });
  {
    std::string l;
    for (std::size_t c = 0; c < visible; ++c) {
      if (c) l += "  ";
      l.append(w[c], '-');
    }
    out += l + "\n";
  }
  for (std::size_t r = 0; r < shown; ++r) line([&](std::size_t c) { return cells[c][r]; });
  if (n == 0) out += "(no rows)\n";
  if (shown < n) out += "\xE2\x80\xA6 " + count_text(n - shown) + " more rows (" + count_text(n) + " in all)\n";
  if (visible < nc) {
    std::string names;
    for (std::size_t c = visible; c < nc; ++c) names += (names.empty() ? "" : ", ") + columns_[c].name;
    out += "\xE2\x80\xA6 " + std::to_string(nc - visible) + " more column" + (nc - visible > 1 ? "s" : "") +
           " not shown: " + names + " (widen the terminal or use t:select)\n";
  }
  notes(*this, out, "");
  return out;
}

std::string Table::to_csv() const {
  std::string out;
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    if (c) out += ',';
    csv_field(out, columns_[c].name);
  }
  out += "\r\n";
  for (std::size_t r = 0; r < row_count(); ++r) {
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (c) out += ',';
      csv_field(out, raw_cell(columns_[c], r));
    }
    out += "\r\n";
  }
  return out;
}

std::string Table::to_json() const {
  std::string out = "[";
  for (std::size_t r = 0; r < row_count(); ++r) {
    out += r ? ",{" : "{";
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      const Column& col = columns_[c];
      if (c) out += ',';
      append_json_string(out, col.name);
      out += ':';
      if (col.is_null(r) || (col.type == ColumnType::number && !std::isfinite(col.num[r]))) {
        out += "null";
        continue;
      }
      switch (col.type) {
        case ColumnType::string: append_json_string(out, col.str[r]); break;
        case ColumnType::time: append_json_string(out, iso_time(col.num[r], col.granularity)); break;
        case ColumnType::boolean: out += col.num[r] != 0 ? "true" : "false"; break;
        case ColumnType::number: out += shortest(col.num[r]); break;
      }
    }
    out += '}';
  }
  out += "]";
  return out;
}

std::string Table::to_markdown() const {
  std::string out;
  if (columns_.empty()) return "(empty table)\n";
  out += "|";
  for (auto& c : columns_) out += " " + md_escape(c.name) + " |";
  out += "\n|";
  for (auto& c : columns_) out += right_aligned(c) ? " ---: |" : " --- |";
  out += "\n";
  for (std::size_t r = 0; r < row_count(); ++r) {
    out += "|";
    for (auto& c : columns_) out += " " + (c.is_null(r) ? std::string() : md_escape(human_cell(c, r))) + " |";
    out += "\n";
  }
  std::string extra;
  notes(*this, extra, "> ");
  if (!extra.empty()) out += "\n" + extra;
  return out;
}

void Table::write(const std::string& path) const {
  std::size_t dot = path.find_last_of('.');
  std::size_t slash = path.find_last_of('/');
  std::string ext = (dot == std::string::npos || (slash != std::string::npos && dot < slash)) ? "" : path.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  std::string text;
  if (ext == ".csv")
    text = to_csv();
  else if (ext == ".json")
    text = to_json() + "\n";
  else if (ext == ".md" || ext == ".markdown")
    text = to_markdown();
  else
    throw Error(ErrorKind::usage, "cannot write '" + path + "': unknown extension '" + ext +
                                      "' (use .csv, .json or .md)");
  write_file_atomic(path, text);  // whole or not at all
}

}  // namespace orscript
