#include "sim/generator.hpp"

#include "host/core/error.hpp"
#include "sim/rng.hpp"
#include "sim/time_util.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <thread>

namespace orscript::sim {

std::int64_t change_day(const Change& c, std::int64_t now_ms) {
  if (c.days_ago) return day_index(now_ms - static_cast<std::int64_t>(*c.days_ago * kDayMs));
  const std::int64_t current_week = bucket_start(Granularity::week, now_ms) / kDayMs;
  return current_week - 7LL * *c.week_start_ago;
}

namespace {

struct Picker {  // weighted choice over global codes
  std::vector<double> cdf;
  std::vector<std::uint8_t> codes;
  std::uint8_t pick(Rng& r) const {
    const double u = r.uniform() * cdf.back();
    const auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
    return codes[std::min<std::size_t>(static_cast<std::size_t>(it - cdf.begin()), codes.size() - 1)];
  }
};

int intern(std::vector<std::string>& dict, const std::string& v) {
  for (std::size_t i = 0; i < dict.size(); ++i)
    if (dict[i] == v) return static_cast<int>(i);
  dict.push_back(v);
  return static_cast<int>(dict.size() - 1);
}

Picker make_picker(std::vector<std::string>& dict, const Weights& w) {
  Picker p;
  double acc = 0;
  for (auto& [name, weight] : w) {
    acc += weight;
    p.cdf.push_back(acc);
    p.codes.push_back(static_cast<std::uint8_t>(intern(dict, name)));
  }
  if (acc <= 0) {
    p.cdf.assign(p.cdf.size(), 1.0);
  }
  return p;
}

std::string uuid_from(std::uint64_t a, std::uint64_t b) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | (b >> 48 & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::uint64_t hash_str(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return mix64(h);
}

std::uint64_t binomial(Rng& r, std::uint64_t n, double p) {
  if (p <= 0 || n == 0) return 0;
  if (p >= 1) return n;
  if (n <= 40) {
    std::uint64_t k = 0;
    for (std::uint64_t i = 0; i < n; ++i) k += r.chance(p);
    return k;
  }
  const double mean = n * p, sd = std::sqrt(n * p * (1 - p));
  const double x = std::round(mean + sd * r.normal());
  return static_cast<std::uint64_t>(std::clamp(x, 0.0, static_cast<double>(n)));
}

std::uint8_t ctx_bucket(std::uint32_t prompt) {
  if (prompt <= 1000) return 0;
  if (prompt <= 10000) return 1;
  if (prompt <= 100000) return 2;
  if (prompt <= 1000000) return 3;
  return 4;
}

// A stream's resolved settings for generation.
struct StreamPlan {
  Picker countries, finish;
  std::vector<ResolvedChange> changes;
  std::int32_t ext_base = -1;
  double weekly_mean = 1;
  std::array<double, 24> hour_cdf{};
};

// A stream-day's draws: its RNG (seeded from seed, stream and day), model and volume.
struct DayStart {
  Rng rng{0};
  int model = 0;
  double lambda = 0;
};

// One generation's draws (the same sequence whether it is kept or, after now, dropped).
struct Draw {
  std::int64_t t;
  std::uint32_t prompt, completion, reasoning, cached;
  double upstream, cache, data, latency, throughput;
  float fee;
  std::uint8_t flags, pages, pidx, country, finish;
  std::int32_t ext;
};

// A detail day of one stream after pass 1: the RNG state after its count, the count, the model.
struct DetailDay {
  Rng rng{0};
  std::uint32_t n_drawn = 0;
  std::uint8_t model = 0;
};

// The request count of a day (or hour): Poisson, or the expected count rounded at random
// for a stream with `exact_volume`.
std::uint64_t draw_count(const Stream& st, Rng& rng, double lambda) {
  if (st.exact) return static_cast<std::uint64_t>(std::llround(lambda));  // hand-checked test scenarios
  if (!st.exact_volume) return rng.poisson(lambda);
  return lambda > 0 ? static_cast<std::uint64_t>(std::floor(lambda + rng.uniform())) : 0;
}

// One run of generate(): the store being filled and what its phases share. The phases, in
// order: the time window, dictionaries and pickers (constructor), the stream plans, pass 1
// (detail-day counts), the two halves of events and rollups on two threads, the merge.
class Generation {
 public:
  Generation(Store& s, std::uint64_t seed);
  // Resolves every stream's plan; returns the expected detail events (for the thread split).
  double plan_streams();
  // Pass 1: every detail day's request count, and the RNG state after drawing it, so the
  // events can be written straight into columns of their final size (no growth, no copies).
  // Today's events are drawn here too, to count those not after now.
  void count_detail_events();
  // Writes the events and rollups on two threads, then merges the rollups into the store.
  void write_all(double expected_events);

 private:
  DayStart start_day(std::size_t si, std::int64_t day) const;
  Draw draw_event(const Stream& st, const StreamPlan& plan, const Model& mdl, int model, Rng& rng,
                  std::int64_t day_ms) const;
  std::size_t run(std::size_t first, std::size_t last, Rollups& r, std::size_t row_bound);
  std::size_t write_detail_days(std::size_t si, std::size_t w);
  void write_rollups(std::size_t si, Rollups& r, std::size_t row_bound);
  void merge_rollups(Rollups& r1, Rollups& r2, std::size_t split);

  Store& s;
  const Scenario& sc;
  std::int64_t today, first_day, detail_day;
  double detail_span;
  std::int64_t detail_days_n, rollup_days_n;
  std::uint64_t seed_mix;
  std::vector<Picker> provider_pickers;
  std::vector<StreamPlan> plans;
  std::vector<DetailDay> detail;
  std::vector<std::size_t> ev_begin;
};

Generation::Generation(Store& store, std::uint64_t seed) : s(store), sc(store.scenario) {
  const std::int64_t now_ms = s.now_ms;
  today = day_index(now_ms);
  first_day = today - sc.history_days;
  // Generation-level detail covers the last `detail_days` and at least the whole last
  // full calendar month, so month reviews see every 31-day field for every day.
  const Civil now_civil = civil_from_days(today);
  const std::int64_t last_month_start =
      now_civil.month == 1 ? days_from_civil(now_civil.year - 1, 12, 1) : days_from_civil(now_civil.year, now_civil.month - 1, 1);
  detail_day = std::max(first_day, std::min(today - sc.detail_days, last_month_start));
  detail_span = static_cast<double>(today - detail_day + 1);
  s.history_start_ms = first_day * kDayMs;
  s.detail_start_ms = detail_day * kDayMs;
  s.ctx_buckets = {"1K", "10K", "100K", "1M", "10M"};

  for (auto& m : sc.models) s.model_variant.push_back(intern(s.variants, m.variant));
  // Providers and endpoints.
  for (std::size_t m = 0; m < sc.models.size(); ++m) {
    std::vector<int> codes;
    std::vector<std::string> eps;
    for (auto& p : sc.models[m].providers) {
      codes.push_back(intern(s.providers, p.name));
      eps.push_back(uuid_from(hash_str(sc.models[m].permaslug + "|" + p.name), hash_str(p.name + "|" + sc.models[m].slug)));
    }
    s.model_providers.push_back(codes);
    s.endpoint_ids.push_back(eps);
  }
  for (std::size_t m = 0; m < sc.models.size(); ++m) {
    Picker p;
    double acc = 0;
    for (std::size_t j = 0; j < sc.models[m].providers.size(); ++j) {
      acc += sc.models[m].providers[j].weight;
      p.cdf.push_back(acc);
      p.codes.push_back(static_cast<std::uint8_t>(j));  // index within the model
    }
    provider_pickers.push_back(p);
  }
  seed_mix = mix64(seed ^ 0x5eed5eed5eedULL);
  detail_days_n = today - detail_day + 1;
  rollup_days_n = detail_day - first_day;
}

double Generation::plan_streams() {
  const std::int64_t now_ms = s.now_ms;
  const Picker default_countries = make_picker(s.countries, sc.countries);
  const Picker default_finish = make_picker(s.finish_reasons, sc.finish_reasons);
  plans.resize(sc.streams.size());
  double expected_events = 0;
  for (std::size_t i = 0; i < sc.streams.size(); ++i) {
    const Stream& st = sc.streams[i];
    StreamPlan& p = plans[i];
    p.countries = st.countries.empty() ? default_countries : make_picker(s.countries, st.countries);
    p.finish = st.finish_reasons.empty() ? default_finish : make_picker(s.finish_reasons, st.finish_reasons);
    for (auto& c : st.changes) p.changes.push_back({change_day(c, now_ms), c.model, c.volume});
    std::stable_sort(p.changes.begin(), p.changes.end(), [](auto& a, auto& b) { return a.day < b.day; });
    if (st.external_users > 0) {
      p.ext_base = static_cast<std::int32_t>(s.external_users.size());
      const std::string prefix =
          st.app >= 0 ? "app" + std::to_string(sc.apps[st.app].id) : sc.keys[st.key].name;
      for (int k = 0; k < st.external_users; ++k) s.external_users.push_back(prefix + "-user-" + std::to_string(k + 1));
    }
    double wsum = 0;
    for (double w : st.weekly) wsum += w;
    p.weekly_mean = wsum > 0 ? wsum / 7 : 1;
    double acc = 0;
    for (int h = 0; h < 24; ++h) p.hour_cdf[h] = (acc += st.hourly[h]);
    expected_events += st.requests_per_day * detail_span;
  }
  if (s.countries.size() > 250 || s.finish_reasons.size() > 250 || s.providers.size() > 250 ||
      sc.models.size() > 250 || sc.streams.size() > 60000)
    throw_usage("scenario '" + sc.name + "' is too large for the simulator");
  return expected_events;
}

DayStart Generation::start_day(std::size_t si, std::int64_t day) const {
  const Stream& st = sc.streams[si];
  const StreamPlan& plan = plans[si];
  DayStart d{Rng(seed_mix ^ mix64(si * 1000003ULL + static_cast<std::uint64_t>(day + 100000))), st.model, 0};
  double volume = 1;
  for (auto& c : plan.changes)
    if (c.day <= day) {
      if (c.model >= 0) d.model = c.model;
      volume *= c.volume;
    }
  const double growth = std::pow(1.0 + st.growth_per_week, static_cast<double>(day - today) / 7.0);
  d.lambda = st.requests_per_day * st.weekly[weekday(day)] / plan.weekly_mean * growth * volume *
             d.rng.lognormal(1.0, st.daily_noise);
  return d;
}

Draw Generation::draw_event(const Stream& st, const StreamPlan& plan, const Model& mdl, int model, Rng& rng,
                            std::int64_t day_ms) const {
  const Prices& pr = mdl.prices;
  const double ln_p_sigma = st.prompt_tokens.sigma, ln_c_sigma = st.completion_tokens.sigma;
  const double u = rng.uniform() * plan.hour_cdf[23];
  const int hour = static_cast<int>(std::upper_bound(plan.hour_cdf.begin(), plan.hour_cdf.end(), u) -
                                    plan.hour_cdf.begin());
  const std::int64_t t = day_ms + std::min(hour, 23) * kHourMs + static_cast<std::int64_t>(rng.uniform() * kHourMs);
  // Clamped below 2^32 so a long lognormal tail cannot overflow the cast.
  const auto prompt = static_cast<std::uint32_t>(std::clamp(std::round(rng.lognormal(st.prompt_tokens.mean, ln_p_sigma)), 1.0, 4e9));
  const auto completion = static_cast<std::uint32_t>(std::clamp(std::round(rng.lognormal(st.completion_tokens.mean, ln_c_sigma)), 1.0, 4e9));
  const auto reasoning = st.reasoning_share > 0
      ? static_cast<std::uint32_t>(std::min<double>(completion, std::round(completion * std::min(1.0, st.reasoning_share * (st.exact ? 1.0 : 0.8 + 0.4 * rng.uniform())))))
      : 0u;
  const auto cached = st.cache_hit_rate > 0
      ? static_cast<std::uint32_t>(std::round(prompt * std::min(0.98, st.cache_hit_rate * (st.exact ? 1.0 : 0.5 + rng.uniform()))))
      : 0u;
  const double writes = std::round((prompt - cached) * st.cache_write_share);
  const double upstream = (prompt * pr.prompt + (completion - reasoning) * pr.completion + reasoning * pr.reasoning) / 1e6;
  const double cache = (cached * (pr.cache_read - pr.prompt) + writes * (pr.cache_write - pr.prompt)) / 1e6;
  const double data = -st.data_discount * upstream;
  std::uint8_t flags = 0, pages = 0;
  float fee = 0;
  if (st.web_search_rate > 0 && rng.chance(st.web_search_rate)) flags |= kFlagWeb;
  if (st.file_rate > 0 && rng.chance(st.file_rate)) {
    flags |= kFlagFile;
    pages = static_cast<std::uint8_t>(1 + rng.below(12));
  }
  if (st.web_fetch_rate > 0 && rng.chance(st.web_fetch_rate)) flags |= kFlagWebFetch;
  if (st.byok_share > 0 && rng.chance(st.byok_share)) {
    flags |= kFlagByok;
    fee = static_cast<float>(sc.byok_fee_rate * (upstream + cache + data));
  }
  if (st.guardrail_rate > 0 && rng.chance(st.guardrail_rate)) flags |= kFlagGuardrail;
  if (st.response_cache_rate > 0 && rng.chance(st.response_cache_rate)) flags |= kFlagResponseCached;
  if (rng.chance(0.7)) flags |= kFlagStreamed;
  const std::uint8_t pidx = provider_pickers[model].pick(rng);
  const Provider& prov = mdl.providers[pidx];
  const double latency = prov.latency_ms * st.latency_factor * rng.lognormal(1.0, 0.4) * (1.0 + prompt / 200000.0);
  const double throughput = prov.throughput * rng.lognormal(1.0, 0.25);
  const std::uint8_t country = plan.countries.pick(rng);
  const std::uint8_t finish = plan.finish.pick(rng);
  const std::int32_t ext = plan.ext_base >= 0 ? plan.ext_base + static_cast<std::int32_t>(rng.below(st.external_users)) : -1;
  return {t, prompt, completion, reasoning, cached, upstream, cache, data, latency, throughput, fee, flags, pages, pidx,
          country, finish, ext};
}

void Generation::count_detail_events() {
  const std::int64_t now_ms = s.now_ms;
  detail.resize(sc.streams.size() * static_cast<std::size_t>(detail_days_n));
  ev_begin.assign(sc.streams.size() + 1, 0);
  for (std::size_t si = 0; si < sc.streams.size(); ++si) {
    std::size_t n_stream = 0;
    for (std::int64_t day = detail_day; day <= today; ++day) {
      DayStart d = start_day(si, day);
      const std::uint64_t n = draw_count(sc.streams[si], d.rng, d.lambda);
      if (n > 0xffffffffULL) throw_usage("scenario '" + sc.name + "' is too large for the simulator");
      detail[si * static_cast<std::size_t>(detail_days_n) + static_cast<std::size_t>(day - detail_day)] =
          {d.rng, static_cast<std::uint32_t>(n), static_cast<std::uint8_t>(d.model)};
      if (day < today) {
        n_stream += n;
        continue;
      }
      Rng probe = d.rng;
      for (std::uint64_t k = 0; k < n; ++k)
        n_stream += draw_event(sc.streams[si], plans[si], sc.models[d.model], d.model, probe, day * kDayMs).t <= now_ms;
    }
    ev_begin[si + 1] = ev_begin[si] + n_stream;
  }
  s.events.resize(ev_begin.back());
}

// Writes the events of streams [first, last) into rows [ev_begin[first], ev_begin[last])
// and their rollups into `r`; returns the row after the last event written.
// `row_bound` bounds the rollup rows `r` will hold (the first half's take the second's too).
std::size_t Generation::run(std::size_t first, std::size_t last, Rollups& r, std::size_t row_bound) {
  std::size_t w = ev_begin[first];
  r.hour_ms.reserve(row_bound);  // an upper bound: pages never written are never resident
  r.stream.reserve(row_bound);
  r.model.reserve(row_bound);
  for (int c = 0; c < kRollupColCount; ++c) r.start[c].assign(sc.streams.size(), -1);
  r.first_row.assign(sc.streams.size(), 0);
  for (std::size_t si = first; si < last; ++si) {
    w = write_detail_days(si, w);
    write_rollups(si, r, row_bound);
  }
  return w;
}

// Detail days of stream `si`: one event row each, from row `w`; returns the next free row.
std::size_t Generation::write_detail_days(std::size_t si, std::size_t w) {
  Events& e = s.events;
  const std::int64_t now_ms = s.now_ms;
  const Stream& st = sc.streams[si];
  const StreamPlan& plan = plans[si];
  for (std::int64_t day = detail_day; day <= today; ++day) {
    DetailDay& dd = detail[si * static_cast<std::size_t>(detail_days_n) + static_cast<std::size_t>(day - detail_day)];
    Rng& rng = dd.rng;
    const int model = dd.model;
    const Model& mdl = sc.models[model];
    const std::int64_t day_ms = day * kDayMs;
    for (std::uint64_t k = 0; k < dd.n_drawn; ++k) {
      const Draw d = draw_event(st, plan, mdl, model, rng, day_ms);
      if (d.t > now_ms) continue;
      const std::uint32_t prompt = d.prompt, completion = d.completion, reasoning = d.reasoning, cached = d.cached;
      const double upstream = d.upstream, cache = d.cache, data = d.data, latency = d.latency, throughput = d.throughput;
      const float fee = d.fee;
      const std::uint8_t flags = d.flags, pages = d.pages, pidx = d.pidx, country = d.country, finish = d.finish;
      const std::int32_t ext = d.ext;
      const std::int64_t t = d.t;
      e.time_ms[w] = t;
      e.stream[w] = static_cast<std::uint16_t>(si);
      e.model[w] = static_cast<std::uint8_t>(model);
      e.provider[w] = static_cast<std::uint8_t>(s.model_providers[model][pidx]);
      e.country[w] = country;
      e.finish[w] = finish;
      e.ctx_bucket[w] = ctx_bucket(prompt);
      e.flags[w] = flags;
      e.file_pages[w] = pages;
      e.external_user[w] = ext;
      e.prompt[w] = prompt;
      e.completion[w] = completion;
      e.reasoning[w] = reasoning;
      e.cached[w] = cached;
      e.latency_ms[w] = static_cast<float>(latency);
      e.throughput[w] = static_cast<float>(throughput);
      e.upstream[w] = static_cast<float>(upstream);
      e.cache[w] = static_cast<float>(cache);
      e.data[w] = static_cast<float>(data);
      e.byok_fee[w] = fee;
      ++w;
    }
  }
  return w;
}

// Older days of stream `si`: hourly rollups into `r`. A column the stream never uses stores nothing.
void Generation::write_rollups(std::size_t si, Rollups& r, std::size_t row_bound) {
  const Stream& st = sc.streams[si];
  const double ln_p_sigma = st.prompt_tokens.sigma, ln_c_sigma = st.completion_tokens.sigma;
  using R = RollupCol;
  bool present[kRollupColCount];
  for (bool& p : present) p = true;
  present[int(R::byok_count)] = st.byok_share > 0;
  present[int(R::reasoning)] = st.reasoning_share > 0;
  present[int(R::cached)] = st.cache_hit_rate > 0;
  present[int(R::cache)] = st.cache_hit_rate > 0 || st.cache_write_share > 0;
  present[int(R::data)] = st.data_discount > 0;
  present[int(R::web)] = present[int(R::upstream_web)] = st.web_search_rate > 0;
  present[int(R::file)] = st.file_rate > 0;
  present[int(R::web_fetch)] = st.web_fetch_rate > 0;
  r.first_row[si] = static_cast<std::int64_t>(r.hour_ms.size());
  for (int c = 0; c < kRollupColCount; ++c)
    if (present[c]) {
      r.start[c][si] = static_cast<std::int64_t>(r.vals[c].size());
      if (r.vals[c].capacity() < row_bound) r.vals[c].reserve(row_bound);
    }
  for (std::int64_t day = first_day; day < detail_day; ++day) {
    DayStart d = start_day(si, day);
    Rng& rng = d.rng;
    const int model = d.model;
    const Model& mdl = sc.models[model];
    const Prices& pr = mdl.prices;
    const std::int64_t day_ms = day * kDayMs;
    double hour_acc = 0;  // exact streams: each hour takes its rounded share of the day
    for (int h = 0; h < 24; ++h) {
      const double before = hour_acc;
      hour_acc += st.hourly[h];
      const std::uint64_t n = st.exact ? static_cast<std::uint64_t>(std::llround(d.lambda * hour_acc) -
                                                                    std::llround(d.lambda * before))
                                       : draw_count(st, rng, d.lambda * st.hourly[h]);
      if (n == 0) continue;
      const double dn = static_cast<double>(n);
      const double prompt = std::round(dn * st.prompt_tokens.mean * rng.lognormal(1.0, ln_p_sigma / std::sqrt(dn)));
      const double completion = std::round(dn * st.completion_tokens.mean * rng.lognormal(1.0, ln_c_sigma / std::sqrt(dn)));
      const double reasoning = std::round(completion * std::min(1.0, st.reasoning_share));
      const double cached = std::round(prompt * std::min(0.98, st.cache_hit_rate));
      const double writes = std::round((prompt - cached) * st.cache_write_share);
      const double upstream = (prompt * pr.prompt + (completion - reasoning) * pr.completion + reasoning * pr.reasoning) / 1e6;
      const double cache = (cached * (pr.cache_read - pr.prompt) + writes * (pr.cache_write - pr.prompt)) / 1e6;
      const double data = -st.data_discount * upstream;
      const double webs = static_cast<double>(binomial(rng, n, st.web_search_rate)) * sc.web_search_price;
      const double web = mdl.native_web_search ? 0 : webs, up_web = mdl.native_web_search ? webs : 0;
      const double file = static_cast<double>(binomial(rng, n, st.file_rate)) * 6.5 * sc.file_page_price;
      const double fetch = static_cast<double>(binomial(rng, n, st.web_fetch_rate)) * sc.web_fetch_price;
      const double byok_n = static_cast<double>(binomial(rng, n, st.byok_share));
      r.hour_ms.push_back(day_ms + h * kHourMs);
      r.stream.push_back(static_cast<std::uint16_t>(si));
      r.model.push_back(static_cast<std::uint8_t>(model));
      const double vals[kRollupColCount] = {dn, byok_n, prompt, completion, reasoning, cached, upstream, cache, data,
                                            web, up_web, file, fetch};
      for (int c = 0; c < kRollupColCount; ++c)
        if (present[c]) r.vals[c].push_back(vals[c]);
    }
  }
}

void Generation::write_all(double expected_events) {
  // Split the streams where half of the expected events are reached; the halves run on two
  // threads (streams are independent: each stream-day has its own RNG).
  std::size_t split = 0;
  double acc_events = 0;
  while (split < sc.streams.size() && acc_events < expected_events / 2)
    acc_events += sc.streams[split++].requests_per_day * detail_span;
  Rollups& r1 = s.rollups;
  Rollups r2;
  std::size_t end2 = 0;
  const auto bound = [&](std::size_t streams) { return streams * static_cast<std::size_t>(rollup_days_n) * 24; };
  std::thread worker([&] { end2 = run(split, sc.streams.size(), r2, bound(sc.streams.size() - split)); });
  std::size_t end1 = 0;
  try {
    end1 = run(0, split, r1, bound(sc.streams.size()));
  } catch (...) {
    worker.join();
    throw;
  }
  worker.join();

  if (end1 != ev_begin[split] || end2 != ev_begin.back()) throw_error(ErrorKind::internal, "simulator: event counts disagree");
  merge_rollups(r1, r2, split);
}

// Rollups: append the second half column by column (the first half's columns have room),
// freeing each source as it goes.
void Generation::merge_rollups(Rollups& r1, Rollups& r2, std::size_t split) {
  const auto rows1 = static_cast<std::int64_t>(r1.hour_ms.size());
  auto append = [](auto& dst, auto& src) {
    dst.insert(dst.end(), src.begin(), src.end());
    std::decay_t<decltype(src)>().swap(src);
  };
  append(r1.hour_ms, r2.hour_ms);
  append(r1.stream, r2.stream);
  append(r1.model, r2.model);
  for (std::size_t si = split; si < sc.streams.size(); ++si) r1.first_row[si] = r2.first_row[si] + rows1;
  for (int c = 0; c < kRollupColCount; ++c) {
    const auto base = static_cast<std::int64_t>(r1.vals[c].size());
    for (std::size_t si = split; si < sc.streams.size(); ++si)
      r1.start[c][si] = r2.start[c][si] < 0 ? -1 : r2.start[c][si] + base;
    if (r1.vals[c].capacity() < r1.vals[c].size() + r2.vals[c].size()) r1.vals[c].reserve(r1.vals[c].size() + r2.vals[c].size());
    append(r1.vals[c], r2.vals[c]);
  }
}

}  // namespace

std::shared_ptr<const Store> generate(Scenario scenario, std::uint64_t seed, std::int64_t now_ms) {
  auto store = std::make_shared<Store>();
  store->scenario = std::move(scenario);
  store->seed = seed;
  store->now_ms = now_ms;
  Generation g(*store, seed);
  const double expected_events = g.plan_streams();
  g.count_detail_events();
  g.write_all(expected_events);
  return store;
}

}  // namespace orscript::sim
