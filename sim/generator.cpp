#include "sim/generator.hpp"

#include "host/core/error.hpp"
#include "sim/rng.hpp"
#include "sim/time_util.hpp"

#include <algorithm>
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

}  // namespace

std::shared_ptr<const Store> generate(Scenario scenario, std::uint64_t seed, std::int64_t now_ms) {
  auto store = std::make_shared<Store>();
  Store& s = *store;
  s.scenario = std::move(scenario);
  const Scenario& sc = s.scenario;
  s.seed = seed;
  s.now_ms = now_ms;
  const std::int64_t today = day_index(now_ms);
  const std::int64_t first_day = today - sc.history_days;
  // Generation-level detail covers the last `detail_days` and at least the whole last
  // full calendar month, so month reviews see every 31-day field for every day.
  const Civil now_civil = civil_from_days(today);
  const std::int64_t last_month_start =
      now_civil.month == 1 ? days_from_civil(now_civil.year - 1, 12, 1) : days_from_civil(now_civil.year, now_civil.month - 1, 1);
  const std::int64_t detail_day = std::max(first_day, std::min(today - sc.detail_days, last_month_start));
  const double detail_span = static_cast<double>(today - detail_day + 1);
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
  std::vector<Picker> provider_pickers;
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
  const Picker default_countries = make_picker(s.countries, sc.countries);
  const Picker default_finish = make_picker(s.finish_reasons, sc.finish_reasons);

  struct StreamPlan {
    Picker countries, finish;
    std::vector<ResolvedChange> changes;
    std::int32_t ext_base = -1;
    double weekly_mean = 1;
    std::array<double, 24> hour_cdf{};
  };
  std::vector<StreamPlan> plans(sc.streams.size());
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

  const Col rollup_cols[] = {Col::count, Col::byok_count, Col::prompt, Col::completion, Col::reasoning, Col::cached,
                             Col::usage, Col::total_usage, Col::byok_inference, Col::byok_fee, Col::openrouter_usage, Col::upstream,
                             Col::cache, Col::data, Col::web, Col::upstream_web, Col::file, Col::web_fetch};
  const std::uint64_t seed_mix = mix64(seed ^ 0x5eed5eed5eedULL);

  // Generates streams [first, last) into (e, r). Streams are independent (each stream-day has
  // its own RNG), so halves run on two threads and are concatenated in stream order.
  auto run = [&](std::size_t first, std::size_t last, double expected, Events& e, Rollups& r) {
  const auto reserve = static_cast<std::size_t>(expected * 1.3) + 1024;
  e.time_ms.reserve(reserve);
  e.stream.reserve(reserve);
  for (auto* v : {&e.model, &e.provider, &e.country, &e.finish, &e.ctx_bucket, &e.flags}) v->reserve(reserve);
  e.external_user.reserve(reserve);
  for (auto* v : {&e.prompt, &e.completion, &e.reasoning, &e.cached}) v->reserve(reserve);
  for (auto* v : {&e.latency_ms, &e.throughput, &e.upstream, &e.cache, &e.data, &e.web, &e.upstream_web, &e.file,
                  &e.web_fetch, &e.byok_fee})
    v->reserve(reserve);
  auto rc = [&](Col c) -> std::vector<double>& { return r.cols[static_cast<int>(c)]; };
  for (std::size_t si = first; si < last; ++si) {
    const Stream& st = sc.streams[si];
    const StreamPlan& plan = plans[si];
    const double ln_p_sigma = st.prompt_tokens.sigma, ln_c_sigma = st.completion_tokens.sigma;
    for (std::int64_t day = first_day; day <= today; ++day) {
      Rng rng(seed_mix ^ mix64(si * 1000003ULL + static_cast<std::uint64_t>(day + 100000)));
      int model = st.model;
      double volume = 1;
      for (auto& c : plan.changes)
        if (c.day <= day) {
          if (c.model >= 0) model = c.model;
          volume *= c.volume;
        }
      const Model& mdl = sc.models[model];
      const Prices& pr = mdl.prices;
      const double growth = std::pow(1.0 + st.growth_per_week, static_cast<double>(day - today) / 7.0);
      const double lambda = st.requests_per_day * st.weekly[weekday(day)] / plan.weekly_mean * growth * volume *
                            rng.lognormal(1.0, st.daily_noise);
      const std::int64_t day_ms = day * kDayMs;
      if (day >= detail_day) {
        const std::uint64_t n = rng.poisson(lambda);
        for (std::uint64_t k = 0; k < n; ++k) {
          const double u = rng.uniform() * plan.hour_cdf[23];
          const int hour = static_cast<int>(std::upper_bound(plan.hour_cdf.begin(), plan.hour_cdf.end(), u) -
                                            plan.hour_cdf.begin());
          const std::int64_t t = day_ms + std::min(hour, 23) * kHourMs + static_cast<std::int64_t>(rng.uniform() * kHourMs);
          // Clamped below 2^32 so a long lognormal tail cannot overflow the cast.
          const auto prompt = static_cast<std::uint32_t>(std::clamp(std::round(rng.lognormal(st.prompt_tokens.mean, ln_p_sigma)), 1.0, 4e9));
          const auto completion = static_cast<std::uint32_t>(std::clamp(std::round(rng.lognormal(st.completion_tokens.mean, ln_c_sigma)), 1.0, 4e9));
          const auto reasoning = st.reasoning_share > 0
              ? static_cast<std::uint32_t>(std::min<double>(completion, std::round(completion * std::min(1.0, st.reasoning_share * (0.8 + 0.4 * rng.uniform())))))
              : 0u;
          const auto cached = st.cache_hit_rate > 0
              ? static_cast<std::uint32_t>(std::round(prompt * std::min(0.98, st.cache_hit_rate * (0.5 + rng.uniform()))))
              : 0u;
          const double writes = std::round((prompt - cached) * st.cache_write_share);
          const double upstream = (prompt * pr.prompt + (completion - reasoning) * pr.completion + reasoning * pr.reasoning) / 1e6;
          const double cache = (cached * (pr.cache_read - pr.prompt) + writes * (pr.cache_write - pr.prompt)) / 1e6;
          const double data = -st.data_discount * upstream;
          std::uint8_t flags = 0;
          float web = 0, up_web = 0, file = 0, fetch = 0, fee = 0;
          if (st.web_search_rate > 0 && rng.chance(st.web_search_rate)) {
            flags |= kFlagWeb;
            (mdl.native_web_search ? up_web : web) = static_cast<float>(sc.web_search_price);
          }
          if (st.file_rate > 0 && rng.chance(st.file_rate)) {
            flags |= kFlagFile;
            file = static_cast<float>((1 + rng.below(12)) * sc.file_page_price);
          }
          if (st.web_fetch_rate > 0 && rng.chance(st.web_fetch_rate)) {
            flags |= kFlagWebFetch;
            fetch = static_cast<float>(sc.web_fetch_price);
          }
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
          if (t > now_ms) continue;
          e.time_ms.push_back(t);
          e.stream.push_back(static_cast<std::uint16_t>(si));
          e.model.push_back(static_cast<std::uint8_t>(model));
          e.provider.push_back(static_cast<std::uint8_t>(s.model_providers[model][pidx]));
          e.country.push_back(country);
          e.finish.push_back(finish);
          e.ctx_bucket.push_back(ctx_bucket(prompt));
          e.flags.push_back(flags);
          e.external_user.push_back(ext);
          e.prompt.push_back(prompt);
          e.completion.push_back(completion);
          e.reasoning.push_back(reasoning);
          e.cached.push_back(cached);
          e.latency_ms.push_back(static_cast<float>(latency));
          e.throughput.push_back(static_cast<float>(throughput));
          e.upstream.push_back(static_cast<float>(upstream));
          e.cache.push_back(static_cast<float>(cache));
          e.data.push_back(static_cast<float>(data));
          e.web.push_back(web);
          e.upstream_web.push_back(up_web);
          e.file.push_back(file);
          e.web_fetch.push_back(fetch);
          e.byok_fee.push_back(fee);
        }
      } else {
        for (int h = 0; h < 24; ++h) {
          const std::uint64_t n = rng.poisson(lambda * st.hourly[h]);
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
          const double f = byok_n / dn;
          const double inference = upstream + cache + data, extras = web + up_web + file + fetch;
          const double byok_inf = f * inference, fee = sc.byok_fee_rate * byok_inf;
          r.hour_ms.push_back(day_ms + h * kHourMs);
          r.stream.push_back(static_cast<std::uint16_t>(si));
          r.model.push_back(static_cast<std::uint8_t>(model));
          const double vals[] = {dn, byok_n, prompt, completion, reasoning, cached,
                                 (1 - f) * inference + fee + extras, (1 - f) * inference + fee + extras + byok_inf, byok_inf, fee, (1 - f) * (inference + extras),
                                 upstream, cache, data, web, up_web, file, fetch};
          for (std::size_t c = 0; c < std::size(rollup_cols); ++c) rc(rollup_cols[c]).push_back(vals[c]);
        }
      }
    }
  }
  };

  // Split the streams where half of the expected events are reached.
  std::size_t split = 0;
  double acc_events = 0;
  while (split < sc.streams.size() && acc_events < expected_events / 2)
    acc_events += sc.streams[split++].requests_per_day * detail_span;
  Events second_events;
  Rollups second_rollups;
  std::thread worker([&] { run(split, sc.streams.size(), expected_events - acc_events, second_events, second_rollups); });
  try {
    run(0, split, acc_events, s.events, s.rollups);
  } catch (...) {
    worker.join();
    throw;
  }
  worker.join();
  auto append = [](auto& dst, auto& src) { dst.insert(dst.end(), src.begin(), src.end()); };
  Events& e = s.events;
  Events& o = second_events;
  append(e.time_ms, o.time_ms);
  append(e.stream, o.stream);
  append(e.model, o.model);
  append(e.provider, o.provider);
  append(e.country, o.country);
  append(e.finish, o.finish);
  append(e.ctx_bucket, o.ctx_bucket);
  append(e.flags, o.flags);
  append(e.external_user, o.external_user);
  append(e.prompt, o.prompt);
  append(e.completion, o.completion);
  append(e.reasoning, o.reasoning);
  append(e.cached, o.cached);
  append(e.latency_ms, o.latency_ms);
  append(e.throughput, o.throughput);
  append(e.upstream, o.upstream);
  append(e.cache, o.cache);
  append(e.data, o.data);
  append(e.web, o.web);
  append(e.upstream_web, o.upstream_web);
  append(e.file, o.file);
  append(e.web_fetch, o.web_fetch);
  append(e.byok_fee, o.byok_fee);
  append(s.rollups.hour_ms, second_rollups.hour_ms);
  append(s.rollups.stream, second_rollups.stream);
  append(s.rollups.model, second_rollups.model);
  for (int c = 0; c < kColCount; ++c) append(s.rollups.cols[c], second_rollups.cols[c]);
  return store;
}

}  // namespace orscript::sim
