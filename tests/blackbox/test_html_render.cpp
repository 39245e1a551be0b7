// Black-box test of the HTML cost report: orscript writes the fixture review as HTML
// (tests/fixtures/report_write.lua), Debian's headless Chromium renders it to a PNG,
// and the PNG must show a page with charts, not a blank one. The PNG is decoded here
// (IHDR, zlib inflate of the IDAT stream, scanline unfiltering).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace ot = orscript::test;
using orscript::test::read_file;
using orscript::test::run;
using orscript::test::RunOptions;
using orscript::test::source_dir;
using orscript::test::temp_dir;

namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

struct Image {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // 3 bytes per pixel, row-major
  std::uint32_t pixel(std::size_t i) const {
    return (std::uint32_t{rgb[3 * i]} << 16) | (std::uint32_t{rgb[3 * i + 1]} << 8) | rgb[3 * i + 2];
  }
};

std::uint32_t be32(const std::string& s, std::size_t at) {
  return (std::uint32_t(std::uint8_t(s[at])) << 24) | (std::uint32_t(std::uint8_t(s[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(s[at + 2])) << 8) | std::uint32_t(std::uint8_t(s[at + 3]));
}

int paeth(int a, int b, int c) {
  int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
}

// Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes); throws
// std::runtime_error naming what it cannot read.
Image decode_png(const std::string& png) {
  if (png.size() < 8 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) throw std::runtime_error("not a PNG file");
  Image img;
  int channels = 0;
  std::string idat;
  for (std::size_t pos = 8; pos + 12 <= png.size();) {
    std::uint32_t len = be32(png, pos);
    std::string type = png.substr(pos + 4, 4);
    if (pos + 12 + len > png.size()) throw std::runtime_error("truncated PNG chunk " + type);
    if (type == "IHDR") {
      img.width = be32(png, pos + 8);
      img.height = be32(png, pos + 12);
      int depth = std::uint8_t(png[pos + 16]), color = std::uint8_t(png[pos + 17]);
      int interlace = std::uint8_t(png[pos + 20]);
      if (depth != 8 || (color != 2 && color != 6) || interlace != 0)
        throw std::runtime_error("unsupported PNG: depth " + std::to_string(depth) + ", colour type " +
                                 std::to_string(color) + ", interlace " + std::to_string(interlace));
      channels = color == 6 ? 4 : 3;
    } else if (type == "IDAT") {
      idat.append(png, pos + 8, len);
    } else if (type == "IEND") {
      break;
    }
    pos += 12 + len;
  }
  if (channels == 0 || img.width == 0 || img.height == 0) throw std::runtime_error("PNG without IHDR");
  const std::size_t stride = std::size_t(img.width) * channels;
  std::vector<std::uint8_t> raw((stride + 1) * img.height);
  uLongf raw_len = raw.size();
  int z = uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size());
  if (z != Z_OK || raw_len != raw.size()) throw std::runtime_error("PNG image data does not inflate: zlib " + std::to_string(z));

  std::vector<std::uint8_t> prev(stride, 0), cur(stride);
  img.rgb.resize(std::size_t(img.width) * img.height * 3);
  for (std::uint32_t y = 0; y < img.height; ++y) {
    const std::uint8_t* line = &raw[y * (stride + 1)];
    int filter = line[0];
    for (std::size_t x = 0; x < stride; ++x) {
      int a = x >= std::size_t(channels) ? cur[x - channels] : 0;
      int b = prev[x];
      int c = x >= std::size_t(channels) ? prev[x - channels] : 0;
      int v = line[1 + x];
      switch (filter) {
        case 0: break;
        case 1: v += a; break;
        case 2: v += b; break;
        case 3: v += (a + b) / 2; break;
        case 4: v += paeth(a, b, c); break;
        default: throw std::runtime_error("bad PNG filter " + std::to_string(filter));
      }
      cur[x] = std::uint8_t(v);
    }
    for (std::uint32_t x = 0; x < img.width; ++x)
      for (int k = 0; k < 3; ++k) img.rgb[(std::size_t(y) * img.width + x) * 3 + k] = cur[x * channels + k];
    std::swap(prev, cur);
  }
  return img;
}

std::string hex(std::uint32_t color) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%06x", unsigned(color & 0xffffff));
  return buf;
}

bool near(std::uint32_t a, std::uint32_t b, int tol) {
  for (int shift : {16, 8, 0})
    if (std::abs(int((a >> shift) & 255) - int((b >> shift) & 255)) > tol) return false;
  return true;
}

// Renders `html` (a file in `dir`) in headless Chromium and checks the screenshot shows
// a real page with charts: not blank, many colours, the chart palette present.
void check_renders(const std::string& dir, const std::string& html, int height = 2400) {
  struct stat st {};
  if (stat(kChromium, &st) != 0) {
    FAIL(kChromium << " is missing: this test renders the HTML report in Debian's headless Chromium. "
                      "Run `tools/setup.sh --tests` (installs the `chromium` package) and re-run.");
  }
  std::string page = read_file(html);
  REQUIRE((page.rfind("<!DOCTYPE html>", 0) == 0 || page.rfind("<?xml", 0) == 0));  // a page or an SVG file
  const std::string shot = dir + "/shot.png";

  RunOptions opts;
  opts.cwd = dir;
  opts.env["HOME"] = dir;  // Chromium writes caches under $HOME
  opts.env["XDG_CONFIG_HOME"] = dir + "/config";
  opts.env["XDG_CACHE_HOME"] = dir + "/cache";
  opts.limit = std::chrono::seconds{90};
  auto r = run({kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + dir + "/profile", "--window-size=1280," + std::to_string(height), "--hide-scrollbars",
                "--screenshot=" + shot, "file://" + html},
               opts);
  INFO("chromium stderr: " << r.err);
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.exit_code == 0);

  Image img = decode_png(read_file(shot));
  CHECK(img.width == 1280);
  CHECK(img.height == std::uint32_t(height));
  const std::size_t n = std::size_t(img.width) * img.height;

  // The background is the most common colour; a blank page is nothing else.
  std::map<std::uint32_t, std::size_t> counts;
  for (std::size_t i = 0; i < n; ++i) ++counts[img.pixel(i)];
  std::uint32_t background = 0;
  std::size_t background_count = 0;
  for (auto& [color, c] : counts)
    if (c > background_count) background = color, background_count = c;
  double other = double(n - background_count) / double(n);
  INFO("background " << hex(background) << ", " << counts.size() << " distinct colours, "
                      << int(other * 100) << "% of pixels differ");
  CHECK(other > 0.15);
  CHECK(counts.size() > 200);

  // The charts' palette shows up: bars and lines in blue, orange, red and teal.
  int found = 0;
  for (std::uint32_t want : {0x4e79a7u, 0xf28e2bu, 0xe15759u, 0x76b7b2u}) {
    std::size_t hits = 0;
    for (auto& [color, c] : counts)
      if (near(color, want, 6)) hits += c;
    INFO("palette colour " << hex(want) << ": " << hits << " pixels");
    if (hits >= 40) ++found;
  }
  CHECK(found >= 3);
}

}  // namespace

TEST_CASE("HTML report renders in headless Chromium with visible charts") {
  std::string dir = temp_dir();
  std::string html = dir + "/report.html";
  auto w = ot::orscript({source_dir() + "/tests/fixtures/report_write.lua", "html", html});
  INFO("orscript stderr: " << w.err);
  REQUIRE(w.exit_code == 0);
  check_renders(dir, html);
}

TEST_CASE("the cost review's own HTML report renders in headless Chromium") {
  std::string dir = temp_dir();
  std::string html = dir + "/review.html";
  RunOptions o;
  o.env["ORSCRIPT_CACHE_DIR"] = dir + "/cache";
  auto w = ot::orscript({"--demo", "--now", "2026-11-18T12:00:00Z", "recipes/cost_review.lua", "--html", html}, o);
  INFO("orscript stderr: " << w.err);
  REQUIRE(w.exit_code == 0);
  check_renders(dir, html, 5000);  // the review is long: its charts start below 2,400 px
}

// t:plot / t:write: a chart of any table, as a standalone SVG file and as a page.
TEST_CASE("t:write(\"x.svg\") and t:write(\"x.html\") charts render in headless Chromium") {
  std::string dir = temp_dir();
  RunOptions o;
  o.env["ORSCRIPT_CACHE_DIR"] = dir + "/cache";
  auto w = ot::orscript({"--demo", "--now", "2026-11-18T12:00:00Z", "-e",
                         "local t = orscript.query{metrics = {'total_usage'}, by = {'api_key_id'}, grain = 'day',"
                         " range = orscript.time.last_days(28)}:run()\n"
                         "t:write('" + dir + "/chart.svg', {by = 'api_key_id', kind = 'area'})\n"
                         "t:write('" + dir + "/chart.html', {by = 'api_key_id'})"},
                        o);
  INFO("orscript stderr: " << w.err);
  REQUIRE(w.exit_code == 0);
  check_renders(dir, dir + "/chart.svg", 600);
  check_renders(dir, dir + "/chart.html", 900);
}
