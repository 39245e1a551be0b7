-- tests/planted/planted.lua: random accounts with planted problems, and their ground truth.
--
--   local planted = require "planted"
--   local account = planted.generate(seed)   -- {scenario =, truth =, now =, seed =}
--
-- `generate(seed)` builds a simulator scenario (docs/simulator.md) of a random size (3 to
-- 300 keys, 2 to 50 models, tens to tens of thousands of requests a day, BYOK, data
-- discounts, several workspaces and apps) and plants a random subset of the cost review's
-- problem kinds (docs/review-json.md, /work/contract/review.md) at random magnitudes, plus
-- decoys placed just under a threshold; everything else is kept well away from every
-- threshold. The truth (kind, key/model/app, monthly impact) is computed here from the
-- planted parameters, as expected values over the review's window: never by querying the
-- simulator. Deterministic per seed (its own generator, no math.random).
--
-- Margins: a planted problem passes every condition of its check by >= 12 %, a decoy
-- fails one condition by 12-28 %, background traffic fails every check by far. Planted
-- streams have `exact_volume` and little noise, so the realised figures stay within about
-- 1-2 % of the expected ones.
local M = {}

-- The review's thresholds (the contract's defaults).
local T = {
  expensive_multiple = 5, min_monthly_usd = 50, key_share = 0.2, prompt_heavy = 0.75, low_cache = 0.2,
  target_cache = 0.5, web_share = 0.15, reasoning_share = 0.5, reasoning_cut = 0.5, growth_ratio = 1.8,
  spike_ratio = 3, upgrade_ratio = 2, prompt_trim_tokens = 20000, prompt_trim_share = 0.3,
}
M.thresholds = T
local PASS, SAFE = 1.12, 0.9   -- a planted check passes by >= PASS; anything else stays <= SAFE

---------------------------------------------------------------------------------------------
-- Random numbers: a Lehmer generator on doubles (exact: products stay below 2^53).
local function new_rng(seed)
  local x = (seed * 7919 + 104729) % 2147483647
  if x == 0 then x = 1 end
  local r = {}
  function r.uniform()
    x = (x * 48271) % 2147483647
    return (x - 1) / 2147483646
  end
  function r.range(a, b) return a + (b - a) * r.uniform() end
  function r.logu(a, b) return a * math.exp(math.log(b / a) * r.uniform()) end
  function r.int(a, b) return math.min(b, a + math.floor((b - a + 1) * r.uniform())) end
  function r.chance(p) return r.uniform() < p end
  function r.pick(list) return list[r.int(1, #list)] end
  function r.shuffle(list)
    for i = #list, 2, -1 do
      local j = r.int(1, i)
      list[i], list[j] = list[j], list[i]
    end
    return list
  end
  for _ = 1, 5 do r.uniform() end
  return r
end

-- Calendar: days since 1970-01-01 (proleptic Gregorian).
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end
local function civil_from_days(z)
  z = z + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return m <= 2 and y + 1 or y, m, d
end
local function weekday(day) return (day + 4) % 7 end  -- 0 = Sunday
local function iso_day(day)
  local y, m, d = civil_from_days(day)
  return string.format("%04d-%02d-%02d", y, m, d)
end
M.iso_day = iso_day

local function round(x, digits)
  local f = 10 ^ (digits or 0)
  return math.floor(x * f + 0.5) / f
end

---------------------------------------------------------------------------------------------
-- Expected figures.

local FIELDS = {"total", "tokens", "prompt", "completion", "reasoning", "cached", "cache", "upstream", "web", "upweb",
                "file", "fetch", "requests"}

-- Expected figures of one request of stream `st` on model `m`.
local function per_request(acc, st, m)
  local pr = m.prices
  local P, C = st.P, st.C
  local Rz, K = C * st.rs, P * st.chr
  local Wr = (P - K) * st.cws
  local up = (P * pr.prompt + (C - Rz) * pr.completion + Rz * pr.reasoning) / 1e6
  local cache = (K * (pr.cache_read - pr.prompt) + Wr * (pr.cache_write - pr.prompt)) / 1e6
  local inf = up + cache - st.dd * up
  local webs = st.ws * acc.web_price
  local web, upweb = m.native and 0 or webs, m.native and webs or 0
  local file, fetch = st.fr * 6.5 * acc.page_price, st.fer * acc.fetch_price
  return {total = inf * (1 + st.byok * acc.fee_rate) + web + upweb + file + fetch, tokens = P + C, prompt = P,
          completion = C, reasoning = Rz, cached = K, cache = cache, upstream = up, web = web, upweb = upweb,
          file = file, fetch = fetch, requests = 1}
end

-- Expected requests of stream `st` on `day`, and the model it uses that day.
local function day_requests(st, day)
  local vol, model = 1, st.model
  for _, c in ipairs(st.changes) do
    if c.day <= day then
      if c.model then model = c.model end
      vol = vol * c.volume
    end
  end
  local wsum = 0
  for i = 1, 7 do wsum = wsum + st.weekly[i] end
  return st.rpd * st.weekly[weekday(day) + 1] / (wsum / 7) * vol, model
end

local function add_into(dst, src, n)
  for _, f in ipairs(FIELDS) do dst[f] = (dst[f] or 0) + src[f] * n end
end
local function bucket(t, k)
  local b = t[k]
  if not b then
    b = {}
    for _, f in ipairs(FIELDS) do b[f] = 0 end
    t[k] = b
  end
  return b
end

-- Sums every stream over the window and the last 6 complete weeks.
local function accumulate(acc)
  local a = {all = bucket({}, 1), model = {}, app = {}, key_noapp = {}, key_week = {}, model_key = {}}
  local cache = {}
  local function cost(st, mname)
    local ck = st.id .. "|" .. mname
    if not cache[ck] then cache[ck] = per_request(acc, st, acc.models[mname]) end
    return cache[ck]
  end
  for _, st in ipairs(acc.streams) do
    for day = acc.month_start, acc.month_end - 1 do
      local n, mname = day_requests(st, day)
      if n > 0 then
        local pr = cost(st, mname)
        add_into(a.all, pr, n)
        add_into(bucket(a.model, mname), pr, n)
        a.model_key[mname] = a.model_key[mname] or {}
        add_into(bucket(a.model_key[mname], st.key), pr, n)
        if st.app then add_into(bucket(a.app, st.app), pr, n) else add_into(bucket(a.key_noapp, st.key), pr, n) end
      end
    end
    a.key_week[st.key] = a.key_week[st.key] or {0, 0, 0, 0, 0, 0, 0, 0, 0}
    for w = 1, 9 do
      local start = acc.week_start(w)
      for day = start, start + 6 do
        local n, mname = day_requests(st, day)
        if n > 0 then a.key_week[st.key][w] = a.key_week[st.key][w] + n * cost(st, mname).total end
      end
    end
  end
  return a
end

local function median(list)
  local s = {}
  for i, v in ipairs(list) do s[i] = v end
  table.sort(s)
  local n = #s
  if n % 2 == 1 then return s[(n + 1) / 2] end
  return (s[n / 2] + s[n / 2 + 1]) / 2
end

-- The review's checks on expected figures. Returns candidates {kind, key, model, app,
-- impact, ratio} where ratio = the weakest condition's value / threshold (> 1 passes).
local function oracle(acc)
  local a = accumulate(acc)
  local S = 30.4 / acc.days
  local out = {}
  local function add(c) out[#out + 1] = c end
  -- Expensive models compare inference rates: surcharges (web, file, fetch) left out.
  local function inference(b) return b.total - b.web - b.upweb - b.file - b.fetch end
  local B = inference(a.all) / a.all.tokens * 1e6
  local rate, total_rate = {}, {}
  for m, b in pairs(a.model) do
    rate[m] = b.tokens > 0 and inference(b) / b.tokens * 1e6 or 0
    total_rate[m] = b.tokens > 0 and b.total / b.tokens * 1e6 or 0
  end
  -- The alternative: the most-used model at or under the blended rate.
  local function alternative(except)
    local best, best_tokens, second = nil, -1, 0
    for m, b in pairs(a.model) do
      if m ~= except and rate[m] <= B then
        if b.tokens > best_tokens then
          second = math.max(second, best_tokens)
          best, best_tokens = m, b.tokens
        elseif b.tokens > second then
          second = b.tokens
        end
      end
    end
    return best, best_tokens, second
  end
  local alt_info = {}
  for m, b in pairs(a.model) do
    local mult = rate[m] / B
    if mult > SAFE * T.expensive_multiple * 0.8 then
      local alt, t1, t2 = alternative(m)
      local r_alt = alt and rate[alt] or 0
      -- The runner-up by tokens, and the largest rate of any model that could be chosen
      -- instead (near the blended rate or near the top by tokens).
      local r_other = r_alt
      for om, ob in pairs(a.model) do
        if om ~= m and om ~= alt and ((rate[om] <= B and ob.tokens >= t1 / 1.3) or
                                       (rate[om] > B and rate[om] <= 1.1 * B and ob.tokens >= t1 / 1.3)) then
          r_other = math.max(r_other, rate[om])
        end
      end
      alt_info[m] = {alt = alt, dominance = t2 > 0 and t1 / t2 or math.huge, r_alt = r_alt, r_other = r_other,
                     alt_margin = alt and B / math.max(rate[alt], 1e-12) or math.huge}
      local max_share, spread_impact = 0, 0
      for k, kb in pairs(a.model_key[m]) do
        local share = kb.total / b.total
        local impact = (kb.total - kb.tokens * r_alt / 1e6) * S
        if acc.fixed_pairs[k .. "|" .. m] then
          share = 0  -- already fixed: an observation, not a recommendation
        else
          add{kind = "expensive_model", key = k, model = m, impact = impact,
              ratio = math.min(mult / T.expensive_multiple, share / T.key_share, impact / T.min_monthly_usd,
                               b.total * S / T.min_monthly_usd)}
        end
        if not acc.fixed_pairs[k .. "|" .. m] then spread_impact = spread_impact + impact end
        max_share = math.max(max_share, kb.total / b.total)
      end
      add{kind = "expensive_model_spread", model = m, impact = spread_impact,
          ratio = math.min(mult / T.expensive_multiple, T.key_share / math.max(max_share, 1e-9),
                           spread_impact / T.min_monthly_usd, b.total * S / T.min_monthly_usd)}
    end
    local prompt_share = b.prompt / math.max(b.prompt + b.completion, 1)
    local hit = b.prompt > 0 and b.cached / b.prompt or 0
    if b.cached > 0 and b.cache < 0 then
      local s = -b.cache / b.cached
      local impact = (T.target_cache - hit) * b.prompt * s * S
      add{kind = "caching", model = m, impact = impact,
          ratio = math.min(prompt_share / T.prompt_heavy, T.low_cache / math.max(hit, 1e-9), impact / T.min_monthly_usd)}
    end
    if b.cache > 0 then
      local impact = b.cache * S
      add{kind = "cache_writes", model = m, impact = impact, ratio = impact / T.min_monthly_usd}
    end
    local mean_prompt = b.prompt / math.max(b.requests, 1e-9)
    do
      -- The review cannot know list prices: the spend's share of uncached prompt tokens.
      local impact = T.prompt_trim_share * b.total * (b.prompt - b.cached) / (b.tokens - b.cached) * S
      local cache_ok = b.cached == 0 and 10 or hit / T.target_cache
      add{kind = "prompt_trimming", model = m, impact = impact,
          ratio = math.min(mean_prompt / T.prompt_trim_tokens, cache_ok, impact / T.min_monthly_usd)}
    end
    if b.reasoning > 0 then
      local impact = T.reasoning_cut * b.reasoning * total_rate[m] / 1e6 * S
      add{kind = "reasoning", model = m, impact = impact,
          ratio = math.min(b.reasoning / b.completion / T.reasoning_share, impact / T.min_monthly_usd)}
    end
  end
  -- Components per app (attributed traffic) and per key (traffic without an app).
  local comps = {web_search = "web", native_web_search = "upweb", file_parsing = "file", web_fetch = "fetch"}
  for kind, f in pairs(comps) do
    for _, by in ipairs({{a.app, "app"}, {a.key_noapp, "key"}}) do
      for id, b in pairs(by[1]) do
        if b[f] > 0 then
          local impact = b[f] * S
          add{kind = kind, [by[2]] = id, impact = impact,
              ratio = math.min(b[f] / b.total / T.web_share, impact / T.min_monthly_usd)}
        end
      end
    end
  end
  -- Weekly checks per key (weeks 6..1 = the last six complete weeks, 1 the latest).
  for key, w in pairs(a.key_week) do
    -- Spike: one week >= 3 x the median of the other five and >= 3 x the mean of the (up
    -- to 3) weeks just before it and just after it.
    local best
    for j = 1, 6 do
      local others = {}
      for i = 1, 6 do if i ~= j then others[#others + 1] = w[i] end end
      local med = median(others)
      if med > 0 then
        local impact = w[j] - med
        local ratio = math.min(w[j] / med / T.spike_ratio, impact / T.min_monthly_usd)
        local before = (w[j + 1] + w[j + 2] + w[j + 3]) / 3
        if before > 0 then ratio = math.min(ratio, w[j] / before / T.spike_ratio) end
        local after, n = 0, 0
        for i = j - 1, math.max(1, j - 3), -1 do after, n = after + w[i], n + 1 end
        if n > 0 and after > 0 then ratio = math.min(ratio, w[j] / (after / n) / T.spike_ratio) end
        local c = {kind = "spike", key = key, impact = impact, ratio = ratio, week = j, median = med}
        if not best or c.ratio > best.ratio then best = c end
      end
    end
    if best then add(best) end
    -- Growth on the series with a spike week replaced by the median of the others.
    local g = {}
    for i = 1, 6 do g[i] = w[i] end
    if best and best.ratio >= 1 then g[best.week] = best.median end
    local before = (g[6] + g[5] + g[4] + g[3]) / 4
    local recent = (g[2] + g[1]) / 2
    if before > 0 then
      local impact = (recent - before) * 30.4 / 7
      add{kind = "growth", key = key, impact = impact,
          ratio = math.min(recent / before / T.growth_ratio, impact / T.min_monthly_usd)}
    end
  end
  -- A key moving model: weekly spend over the 3 complete weeks before the change week and
  -- the (up to 3) complete weeks from it on.
  for _, ch in ipairs(acc.model_changes) do
    local w = a.key_week[ch.key]
    local n = ch.week
    local before = (w[n + 1] + w[n + 2] + w[n + 3]) / 3
    local after, cnt = 0, 0
    for i = n, math.max(1, n - 2), -1 do
      after, cnt = after + w[i], cnt + 1
    end
    after = after / cnt
    local impact = (after - before) * 30.4 / 7
    add{kind = "model_upgrade", key = ch.key, impact = impact, weekly_before = before, weekly_after = after,
        ratio = math.min(after / before / T.upgrade_ratio, impact / T.min_monthly_usd)}
  end
  -- A fixed order, so which plant gives way first never depends on table iteration.
  table.sort(out, function(x, y)
    local kx = table.concat({x.kind, x.key or "", x.model or "", tostring(x.app or "")}, "|")
    local ky = table.concat({y.kind, y.key or "", y.model or "", tostring(y.app or "")}, "|")
    return kx < ky
  end)
  return out, {blended = B, rate = rate, alt = alt_info, agg = a}
end

---------------------------------------------------------------------------------------------
-- Account construction.

local VENDORS = {"openai", "anthropic", "google", "mistralai", "meta-llama", "deepseek", "qwen", "cohere", "x-ai",
                 "amazon", "nvidia", "minimax"}
local WORDS = {"atlas", "boreal", "cinder", "delta", "ember", "fjord", "granite", "harbor", "iris", "juniper", "kestrel",
               "lumen", "meridian", "nimbus", "onyx", "prairie", "quartz", "ridge", "sierra", "tundra"}
local KEY_WORDS = {"chat", "batch", "search", "agent", "etl", "support", "sales", "coding", "eval", "docs", "ops",
                   "billing", "triage", "summarise", "translate", "voice", "ingest", "qa", "labs", "growth"}
local PROVIDERS = {"OpenAI", "Anthropic", "Google", "Together", "Fireworks", "DeepInfra", "Groq", "Mistral", "Azure",
                   "Amazon Bedrock", "Novita", "Parasail"}

local function uuid(r)
  local function hex(n)
    local s = {}
    for i = 1, n do s[i] = string.format("%x", r.int(0, 15)) end
    return table.concat(s)
  end
  return hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-" .. string.format("%x", r.int(8, 11)) .. hex(3) .. "-" .. hex(12)
end

local function build(seed, attempt)
  local r = new_rng(seed * 1000 + attempt)
  local rb = new_rng(seed * 1000 + attempt + 500)
  local acc = {models = {}, model_list = {}, keys = {}, key_list = {}, apps = {}, app_list = {}, streams = {},
               plants = {}, decoys = {}, fixed_pairs = {}, model_changes = {}, observations = {}}
  -- Clock: a day in 2026 at 12:00 UTC; the window is the last full month.
  local today = days_from_civil(2026, 2, 1) + r.int(0, 330)
  acc.today = today
  acc.now = iso_day(today) .. "T12:00:00Z"
  local y, m = civil_from_days(today)
  acc.month_start = m == 1 and days_from_civil(y - 1, 12, 1) or days_from_civil(y, m - 1, 1)
  acc.month_end = days_from_civil(y, m, 1)
  acc.days = acc.month_end - acc.month_start
  local current_week = today - weekday(today)
  acc.week_start = function(n) return current_week - 7 * n end
  acc.web_price, acc.page_price, acc.fee_rate = 0.02, 0.002, 0.05
  acc.fetch_price = round(r.range(0.004, 0.01), 4)

  -- Size: keys 3..300, models 2..50, background traffic tens to tens of thousands a day.
  local size = r.uniform()
  local n_keys = math.floor(3 * 100 ^ size + 0.5)
  local n_models = math.max(2, math.floor(2 * 25 ^ math.min(1, math.max(0, size + r.range(-0.15, 0.15))) + 0.5))
  local bg_rpd = 30 * 1000 ^ math.min(1, math.max(0, size + r.range(-0.15, 0.15)))
  acc.size = {keys = n_keys, models = n_models, requests_per_day = bg_rpd}

  local ws = {}
  for i = 1, r.int(1, math.min(4, 1 + math.floor(n_keys / 20))) do
    ws[i] = {id = uuid(r), name = i == 1 and "Default" or ("Workspace " .. i)}
  end
  acc.workspaces = ws
  local users = {}
  for i = 1, r.int(1, math.min(12, n_keys)) do
    users[i] = {id = string.format("user_%06d%03d", seed % 1000000, i), name = "User " .. i,
                email = "user" .. i .. "@example.com"}
  end
  acc.users = users

  local model_seq, key_seq, app_seq = 0, 0, 0
  local function add_model(p, c, opts)
    opts = opts or {}
    model_seq = model_seq + 1
    local slug = r.pick(VENDORS) .. "/" .. r.pick(WORDS) .. "-" .. model_seq
    local md = {slug = slug, native = opts.native or false, role = opts.role or "background",
                prices = {prompt = round(p, 4), completion = round(c, 4), cache_read = round(opts.cache_read or p, 4),
                          cache_write = round(opts.cache_write or p, 4), reasoning = round(opts.reasoning or c, 4)}}
    acc.models[slug] = md
    acc.model_list[#acc.model_list + 1] = slug
    return slug
  end
  local function add_key(role)
    key_seq = key_seq + 1
    local name = r.pick(KEY_WORDS) .. "-" .. r.pick({"prod", "dev", "staging", "eu", "us", "int"}) .. "-" .. key_seq
    acc.keys[name] = {name = name, id = key_seq, role = role or "background", workspace = ws[r.int(1, #ws)].id,
                      user = r.chance(0.6) and users[r.int(1, #users)].id or nil}
    acc.key_list[#acc.key_list + 1] = name
    return name
  end
  local function add_app(role)
    app_seq = app_seq + 1
    local id = 5000 + app_seq
    local name = r.pick({"Copilot", "Assistant", "Studio", "Desk", "Portal", "Bot", "Reader", "Scout"}) .. " " ..
                 r.pick(WORDS):gsub("^%l", string.upper) .. " " .. app_seq
    acc.apps[id] = {id = id, name = name, origin = "https://app" .. app_seq .. ".example.com", role = role}
    acc.app_list[#acc.app_list + 1] = id
    return id
  end
  local stream_seq = 0
  local function add_stream(st)
    stream_seq = stream_seq + 1
    st.id = stream_seq
    st.weekly = st.weekly or {1, 1, 1, 1, 1, 1, 1}
    st.changes = st.changes or {}
    for _, f in ipairs({"rs", "chr", "cws", "ws", "fr", "fer", "byok", "dd"}) do st[f] = st[f] or 0 end
    st.sigma = st.sigma or 0.15
    st.noise = st.noise or 0
    if st.exact == nil then st.exact = true end
    -- Some planted traffic runs on the customer's own provider keys or with a data discount
    -- (its own draws, so the account's other choices do not move).
    if st.owner ~= "background" then
      if rb.chance(0.25) then st.byok = rb.range(0.3, 1) end
      if rb.chance(0.2) then st.dd = rb.range(0.05, 0.2) end
    end
    acc.streams[#acc.streams + 1] = st
    return st
  end

  -- Background models: the workhorse (cheapest, most used) and a few others within 2.2x.
  -- Small teams tend to run a premium model; large accounts a cheap workhorse.
  local pw = size < 0.3 and r.logu(0.8, 5) or r.logu(0.15, 3)
  local workhorse = add_model(pw, 4 * pw, {role = "workhorse", cache_read = pw / 4, cache_write = pw * 1.25})
  acc.workhorse = workhorse

  -- Choose plants and decoys that fit the key/model budget.
  local KINDS = {"expensive_model", "expensive_model_spread", "caching", "cache_writes", "prompt_trimming", "reasoning",
                 "web_search", "native_web_search", "file_parsing", "web_fetch", "growth", "spike", "model_upgrade",
                 "fixed"}
  local DECOYS = {"d_expensive", "d_spread", "d_caching", "d_cache_writes", "d_prompt_trimming", "d_reasoning", "d_component",
                  "d_growth", "d_spike", "d_model_upgrade", "d_min_monthly"}
  local need = {expensive_model = {0, 1}, expensive_model_spread = {0, 1}, caching = {0, 1}, cache_writes = {0, 1},
                prompt_trimming = {0, 1}, reasoning = {0, 1}, web_search = {1, 0}, native_web_search = {1, 1},
                file_parsing = {1, 0}, web_fetch = {1, 0}, growth = {1, 0}, spike = {1, 0}, model_upgrade = {1, 1},
                fixed = {1, 1}, d_expensive = {0, 1}, d_spread = {0, 1}, d_caching = {0, 1}, d_cache_writes = {0, 1},
                d_prompt_trimming = {0, 1}, d_reasoning = {0, 1}, d_component = {1, 1}, d_growth = {1, 0},
                d_spike = {1, 0}, d_model_upgrade = {1, 1}, d_min_monthly = {0, 1}}
  local keys_left, models_left = n_keys - 1, n_models - 1  -- one background key, the workhorse
  local chosen = {}
  local cands = {}
  for _, k in ipairs(KINDS) do if r.chance(0.6) then cands[#cands + 1] = k end end
  for _, k in ipairs(DECOYS) do if r.chance(0.45) then cands[#cands + 1] = k end end
  r.shuffle(cands)
  local native_reserved = false
  for _, k in ipairs(cands) do
    local nk, nm = need[k][1], need[k][2]
    -- One native-search model serves every native plant and decoy.
    local component = k == "d_component" and r.pick({"web_search", "native_web_search", "file_parsing", "web_fetch"})
    if k == "native_web_search" or component == "native_web_search" then
      nm = native_reserved and 0 or 1
    elseif component then
      nm = 0
    end
    -- An app-attributed component plant needs no key of its own.
    if (k == "web_search" or k == "file_parsing" or k == "web_fetch" or k == "native_web_search" or k == "d_component")
        and r.chance(0.5) then nk = 0 end
    if nk <= keys_left and nm <= models_left and ((k ~= "expensive_model_spread" and k ~= "d_spread") or keys_left >= 10) then
      chosen[#chosen + 1] = {kind = k, own_key = nk > 0, component = component}
      keys_left, models_left = keys_left - nk, models_left - nm
      if nm > 0 and (k == "native_web_search" or component == "native_web_search") then native_reserved = true end
    end
  end

  -- Background keys and models take what is left.
  local bg_keys = {}
  for i = 1, keys_left + 1 do bg_keys[i] = add_key("background") end
  local bg_models = {workhorse}
  for _ = 1, models_left do
    local mult = r.range(1.1, 2.2)
    local cached = r.chance(0.5)
    bg_models[#bg_models + 1] = add_model(pw * mult, 4 * pw * mult * r.range(0.8, 1.2),
                                          {cache_read = cached and pw * mult / 4 or nil,
                                           cache_write = cached and pw * mult * 1.25 or nil})
  end
  local bg_apps = {}
  for i = 1, r.int(0, math.min(6, math.floor(n_keys / 3))) do bg_apps[i] = add_app("background") end
  -- Background traffic: per key a workhorse stream and maybe one on another model.
  local weights, wsum = {}, 0
  for i = 1, #bg_keys do
    weights[i] = r.logu(0.3, 3) / i ^ 0.5
    wsum = wsum + weights[i]
  end
  local function bg_stream(key, model, rpd, app)
    local m = acc.models[model]
    local P = r.logu(800, 6000)
    local cache_priced = m.prices.cache_read < m.prices.prompt
    local weekend = r.range(0.5, 1)
    return add_stream{owner = "background", key = key, model = model, app = app, rpd = rpd, P = P,
                      C = P * r.range(0.6, 1.5), sigma = 0.5, noise = 0.06, exact = rpd < 30,
                      weekly = {weekend, 1.1, 1.1, 1.1, 1.1, 1.05, weekend},
                      rs = r.chance(0.2) and r.range(0.05, 0.25) or 0,
                      chr = cache_priced and r.chance(0.6) and r.range(0.3, 0.5) or 0,
                      byok = r.chance(0.2) and r.range(0.2, 1) or 0, dd = r.chance(0.15) and r.range(0.05, 0.2) or 0,
                      external_users = r.chance(0.2) and r.int(5, 200) or 0}
  end
  for i, key in ipairs(bg_keys) do
    local rpd = math.max(3, bg_rpd * weights[i] / wsum)
    local share = #bg_models > 1 and r.range(0.55, 0.9) or 1
    local app = #bg_apps > 0 and r.chance(0.5) and r.pick(bg_apps) or nil
    bg_stream(key, workhorse, rpd * share, app)
    if share < 1 then bg_stream(key, bg_models[r.int(2, #bg_models)], rpd * (1 - share), app) end
  end
  -- Every background model gets some traffic.
  for i = 2, #bg_models do
    local used = false
    for _, st in ipairs(acc.streams) do if st.model == bg_models[i] then used = true end end
    if not used then bg_stream(r.pick(bg_keys), bg_models[i], math.max(3, bg_rpd * 0.02)) end
  end

  -- The background's blended rate sizes the expensive models.
  local _, base = oracle(acc)
  local B0 = base.blended
  local bg_day_tokens = base.agg.all.tokens / acc.days
  local function workhorse_cost(P, C)
    local p = acc.models[workhorse].prices
    return (P * p.prompt + C * p.completion) / 1e6
  end
  local function plant_impact(lo, hi) return r.logu(lo, math.max(lo * 1.01, hi)) end
  local max_impact = 150 * 100 ^ size  -- larger accounts carry larger problems
  -- Planted traffic stays within the account's scale: tens to a few thousand requests a day.
  local rpd_cap = math.max(150, math.min(4000, bg_rpd * 0.5))
  -- A dedicated model's prompt price and requests a day for a monthly `impact` when the
  -- impact is `unit` x price x requests a day: volume first, price within [pw/2, 3 B0].
  -- `rate_factor` = the model's $/Mtok per unit of prompt price; it stays under 2.5 B0.
  local function fit(impact, unit, rate_factor)
    local rpd = r.logu(20, rpd_cap)
    local price = math.min(math.max(impact / (unit * rpd), pw / 2), 2.5 * B0 / rate_factor)
    return price, math.max(20, math.min(rpd_cap, impact / (unit * price)))
  end

  local plant_seq = 0
  local function new_plant(kind, is_decoy)
    plant_seq = plant_seq + 1
    local p = {id = plant_seq, kind = kind, decoy = is_decoy}
    if is_decoy then acc.decoys[#acc.decoys + 1] = p else acc.plants[#acc.plants + 1] = p end
    return p
  end
  -- An expensive model at `mult` x B0 over `P`, `C` tokens per request (completion 2x prompt).
  local function expensive_model(mult, P, C, role)
    local p = mult * B0 * (P + C) / (P + 2 * C)
    return add_model(p, 2 * p, {role = role})
  end
  -- Requests a day of an expensive model whose tokens stay a small share of the account's.
  local function expensive_rpd(mult, tokens, impact_per_rpd, lo, hi)
    local max_rpd = bg_day_tokens / (4 * mult) / tokens
    local rpd = math.min(max_rpd, plant_impact(lo, hi) / impact_per_rpd)
    -- Fewer requests would leave the month's figures to the noise of token sizes.
    return rpd >= 8 and rpd or nil
  end

  -- An expensive model at `mult` x B0 and its traffic: model, tokens per request, requests a
  -- day (nil when the account is too small to carry it).
  local function expensive_traffic(mult, role, lo)
    local P = r.logu(1000, 6000)
    local C = P * r.range(0.5, 1.2)
    local mdl = expensive_model(mult, P, C, role)
    local unit = 30.4 * ((P * acc.models[mdl].prices.prompt + C * acc.models[mdl].prices.completion) / 1e6)
    return mdl, P, C, expensive_rpd(mult, P + C, unit, lo, max_impact)
  end

  local builders = {}
  function builders.expensive_model(p, decoy_share)
    local mdl, P, C, rpd = expensive_traffic(r.logu(7, 30), "expensive", 70)
    if not rpd then return false end
    p.key, p.model = r.pick(bg_keys), mdl
    add_stream{owner = p.id, key = p.key, model = mdl, rpd = rpd, P = P, C = C}
    local minor = decoy_share or (r.chance(0.4) and r.range(0.03, 0.1) or nil)
    if minor then
      local other = r.pick(bg_keys)
      if other ~= p.key then
        add_stream{owner = p.id, key = other, model = mdl, rpd = rpd * minor / (1 - minor), P = P, C = C}
        p.minor_key, p.minor_share = other, minor
      end
    end
  end
  function builders.expensive_model_spread(p, decoy_mult)
    local mdl, P, C, rpd = expensive_traffic(decoy_mult or r.logu(7, 25), "expensive", 70)
    if not rpd then return false end
    local n = r.int(10, math.min(20, #bg_keys))
    local keys = {}
    for i, k in ipairs(bg_keys) do keys[i] = k end
    r.shuffle(keys)
    local w, sum = {}, 0
    for i = 1, n do
      w[i] = r.range(0.8, 1.2)
      sum = sum + w[i]
    end
    for i = 1, n do add_stream{owner = p.id, key = keys[i], model = mdl, rpd = rpd * w[i] / sum, P = P, C = C} end
    p.model = mdl
  end
  function builders.caching(p, hit, prompt_share)
    local P = r.logu(4000, 15000)
    local C = prompt_share and P * (1 - prompt_share) / prompt_share or P * r.range(0.03, 0.15)
    local chr = hit or r.range(0.03, 0.13)
    local crf = r.range(0.1, 0.25)
    local price, rpd = fit(plant_impact(70, max_impact), 30.4 * (T.target_cache - chr) * P * (1 - crf) / 1e6,
                           (P * (1 - chr * (1 - crf)) + 4 * C) / (P + C))
    local mdl = add_model(price, 4 * price, {cache_read = price * crf, cache_write = price})
    p.model = mdl
    add_stream{owner = p.id, key = r.pick(bg_keys), model = mdl, rpd = rpd, P = P, C = C, chr = chr}
  end
  function builders.cache_writes(p, decoy)
    local cwf = r.range(1.25, 2)
    local P = r.logu(5000, 30000)
    local C = P * r.range(0.65, 1.2)
    local cws = r.range(0.4, 0.9)
    local a, b = 0.9, cws * (cwf - 1)  -- per unit of prompt price: read saving, write cost
    -- Planted: reads save at most 60 % of what writes cost. Decoy: reads save 10-30 % more.
    local k = decoy and r.range(1.1, 1.3) or r.range(0.1, 0.6)
    local chr = math.min(k * b / (a + k * b), 0.6)
    local unit = decoy and 30.4 * P * chr * a / 1e6 or 30.4 * (P * chr * -a + P * (1 - chr) * b) / 1e6
    local price, rpd = fit(plant_impact(70, max_impact), unit,
                           (P * (1 - 0.9 * chr + (1 - chr) * b) + 4 * C) / (P + C))
    local mdl = add_model(price, 4 * price, {cache_read = price * 0.1, cache_write = price * cwf})
    p.model = mdl
    add_stream{owner = p.id, key = r.pick(bg_keys), model = mdl, rpd = rpd, P = P, C = C, chr = chr, cws = cws}
  end
  function builders.prompt_trimming(p, decoy)
    local with_cache = r.chance(0.5)
    -- A decoy has prompts just under the size, or (cached) a hit rate just under the target.
    local short = decoy and not (with_cache and r.chance(0.5))
    local P = short and r.range(15000, 17500) or r.logu(25000, 80000)
    local C = r.range(300, 2000)
    local chr = with_cache and (decoy and not short and r.range(0.36, 0.43) or r.range(0.56, 0.64)) or 0
    local price, rpd = fit(plant_impact(70, max_impact), 30.4 * T.prompt_trim_share * P * (1 - chr) / 1e6, 1)
    local mdl = add_model(price, price, {cache_read = with_cache and price * 0.1 or price, cache_write = price,
                                         reasoning = price})
    p.model = mdl
    add_stream{owner = p.id, key = r.pick(bg_keys), model = mdl, rpd = rpd, P = P, C = C, chr = chr}
  end
  function builders.reasoning(p, rs, impact)
    local P = r.logu(800, 3000)
    local C = r.logu(math.max(1500, P * 0.5), 5000)
    rs = rs or r.range(0.6, 0.8)
    -- r(m) = (P + 4C) price / (P + C) per token.
    local unit = 30.4 * T.reasoning_cut * C * rs * (P + 4 * C) / (P + C) / 1e6
    local price, rpd = fit(impact or plant_impact(70, max_impact), unit, (P + 4 * C) / (P + C))
    local mdl = add_model(price, 4 * price)
    p.model = mdl
    add_stream{owner = p.id, key = r.pick(bg_keys), model = mdl, rpd = rpd, P = P, C = C, rs = rs}
  end
  local native_model
  local function component(p, kind, share, own_key)
    local field = ({web_search = "ws", native_web_search = "ws", file_parsing = "fr", web_fetch = "fer"})[kind]
    local unit_price = ({web_search = acc.web_price, native_web_search = acc.web_price,
                         file_parsing = 6.5 * acc.page_price, web_fetch = acc.fetch_price})[kind]
    local mdl = workhorse
    if kind == "native_web_search" then
      native_model = native_model or add_model(pw * r.range(0.8, 2), 4 * pw * r.range(0.8, 2), {native = true})
      mdl = native_model
    end
    local rate = r.range(0.4, 1)
    -- Inference cost per request that gives the component `share` of the total.
    local per_req = rate * unit_price * (1 - share) / share
    local pr = acc.models[mdl].prices
    local P = math.min(12000, per_req * 1e6 / (pr.prompt + pr.completion))
    local C = (per_req * 1e6 - P * pr.prompt) / pr.completion
    if P < 100 or C > 60000 then return false end
    local rpd = math.min(5000, plant_impact(70, max_impact) / (30.4 * rate * unit_price))
    local st = {owner = p.id, model = mdl, rpd = rpd, P = P, C = C}
    st[field] = rate
    if own_key then
      p.key = add_key("plant")
      st.key = p.key
      add_stream(st)
    else
      p.app = add_app("plant")
      st.key = r.pick(bg_keys)
      st.app = p.app
      add_stream(st)
    end
    return true
  end
  for _, k in ipairs({"web_search", "native_web_search", "file_parsing", "web_fetch"}) do
    builders[k] = function(p, own_key) return component(p, k, r.range(0.22, 0.6), own_key) end
  end
  -- A dedicated key's workhorse stream; `impact_per_cost` = the impact per request a day and
  -- USD per request. Tokens are chosen so the volume stays within the account's scale.
  local function weekly_key_stream(p, impact_per_cost, changes)
    p.key = add_key("plant")
    local ratio = r.range(0.7, 1.4)
    local wp = acc.models[workhorse].prices
    local impact = plant_impact(70, max_impact)
    local cost = impact / (impact_per_cost * r.logu(30, rpd_cap))
    local P = math.min(12000, math.max(800, cost * 1e6 / (wp.prompt + ratio * wp.completion)))
    local C = P * ratio
    local rpd = impact / (impact_per_cost * workhorse_cost(P, C))
    add_stream{owner = p.id, key = p.key, model = workhorse, rpd = math.min(rpd, rpd_cap), P = P, C = C,
               changes = changes}
  end
  function builders.growth(p, v)
    v = v or r.range(2.1, 2.5)
    p.volume = v
    weekly_key_stream(p, (v - 1) * 30.4,
                      {{day = acc.week_start(2), week_start_ago = 2, volume = v}})
  end
  function builders.spike(p, v)
    v = v or r.range(4, 8)
    local n = r.int(3, 5)
    p.volume, p.week = v, n
    weekly_key_stream(p, (v - 1) * 7,
                      {{day = acc.week_start(n), week_start_ago = n, volume = v},
                       {day = acc.week_start(n - 1), week_start_ago = n - 1, volume = 1 / v}})
  end
  function builders.model_upgrade(p, q)
    q = q or r.range(2.4, 4)
    local n = r.int(4, 5)
    local wp = acc.models[workhorse].prices
    local mdl = add_model(wp.prompt * q, wp.completion * q, {role = "upgrade"})
    p.ratio, p.week, p.to_model = q, n, mdl
    weekly_key_stream(p, 30.4 * (q - 1),
                      {{day = acc.week_start(n), week_start_ago = n, model = mdl, volume = 1}})
    acc.model_changes[#acc.model_changes + 1] = {key = p.key, week = n}
  end
  function builders.fixed(p)
    local mdl, P, C, rpd = expensive_traffic(r.logu(8, 20), "fixed", 90)
    if not rpd then return false end
    local n = 2  -- earlier, the weeks before would look like a spike over the weeks after
    p.key = add_key("plant")
    p.model, p.week = mdl, n
    add_stream{owner = p.id, key = p.key, model = mdl, rpd = rpd, P = P, C = C,
               changes = {{day = acc.week_start(n), week_start_ago = n, model = workhorse, volume = 1}}}
    acc.fixed_pairs[p.key .. "|" .. mdl] = true
    acc.model_changes[#acc.model_changes + 1] = {key = p.key, week = n}
    acc.observations[#acc.observations + 1] = {kind = "fixed", key = p.key, from_model = mdl, to_model = workhorse,
                                               date = iso_day(acc.week_start(n)), plant = p.id}
  end
  -- Decoys: each fails one condition by 12-28 %.
  function builders.d_expensive(p)
    local mdl, P, C, rpd = expensive_traffic(r.range(3.6, 4.2), "decoy", 90)
    if not rpd then return false end
    p.model = mdl
    add_stream{owner = p.id, key = r.pick(bg_keys), model = mdl, rpd = rpd, P = P, C = C}
  end
  function builders.d_caching(p)
    if r.chance(0.5) then return builders.caching(p, r.range(0.24, 0.3)) end
    return builders.caching(p, r.range(0.03, 0.13), r.range(0.6, 0.66))  -- not prompt-heavy enough
  end
  function builders.d_spread(p) return builders.expensive_model_spread(p, r.range(3.6, 4.2)) end
  function builders.d_cache_writes(p) builders.cache_writes(p, true) end
  function builders.d_prompt_trimming(p) builders.prompt_trimming(p, true) end
  function builders.d_reasoning(p) builders.reasoning(p, r.range(0.36, 0.43)) end
  function builders.d_min_monthly(p) builders.reasoning(p, r.range(0.6, 0.8), r.range(20, 40)) end
  function builders.d_component(p, own_key, kind)
    p.component = kind
    return component(p, kind, r.range(0.09, 0.13), own_key)
  end
  function builders.d_growth(p) builders.growth(p, r.range(1.35, 1.6)) end
  function builders.d_spike(p) builders.spike(p, r.range(2.0, 2.6)) end
  function builders.d_model_upgrade(p) builders.model_upgrade(p, r.range(1.3, 1.75)) end

  local COMPONENT = {web_search = true, native_web_search = true, file_parsing = true, web_fetch = true,
                     d_component = true}
  -- Expensive models are sized on the blended rate with every other plant in place.
  local EXPENSIVE = {expensive_model = true, expensive_model_spread = true, fixed = true, d_expensive = true,
                     d_spread = true}
  local ordered = {}
  for _, c in ipairs(chosen) do if not EXPENSIVE[c.kind] then ordered[#ordered + 1] = c end end
  for _, c in ipairs(chosen) do if EXPENSIVE[c.kind] then ordered[#ordered + 1] = c end end
  local rebased = false
  for _, c in ipairs(ordered) do
    if EXPENSIVE[c.kind] and not rebased then
      rebased = true
      local _, now_info = oracle(acc)
      B0, bg_day_tokens = now_info.blended, now_info.agg.all.tokens / acc.days
    end
    local is_decoy = c.kind:sub(1, 2) == "d_"
    local p = new_plant(c.kind, is_decoy)
    if c.kind == "expensive_model" and r.chance(0.3) then
      p.key_share_decoy = true
      if builders.expensive_model(p, r.range(0.13, 0.16)) == false then p.dropped = "infeasible" end
    elseif builders[c.kind](p, COMPONENT[c.kind] and c.own_key or nil, c.component) == false then
      p.dropped = "infeasible"
    end
  end
  return acc
end

-- Which of the oracle's candidates a plant stands for.
local function plant_matches(p, c)
  if p.kind ~= c.kind then return false end
  for _, f in ipairs({"key", "model", "app"}) do
    if p[f] and c[f] and p[f] ~= c[f] then return false end
    if p[f] and not c[f] then return false end
  end
  return true
end

local function owners_of(acc, c)
  local own = {}
  for _, st in ipairs(acc.streams) do
    local touches = (c.model and (st.model == c.model or (function()
      for _, ch in ipairs(st.changes) do if ch.model == c.model then return true end end
    end)())) or (c.key and not c.app and st.key == c.key) or (c.app and st.app == c.app)
    if touches and st.owner ~= "background" then own[st.owner] = true end
  end
  return own
end

local function drop_plant(acc, id, why)
  local keep = {}
  for _, st in ipairs(acc.streams) do if st.owner ~= id then keep[#keep + 1] = st end end
  acc.streams = keep
  for _, list in ipairs({acc.plants, acc.decoys}) do
    for _, p in ipairs(list) do if p.id == id then p.dropped = why end end
  end
  local obs = {}
  for _, o in ipairs(acc.observations) do if o.plant ~= id then obs[#obs + 1] = o end end
  acc.observations = obs
  local mc = {}
  for _, ch in ipairs(acc.model_changes) do
    local owner_dropped = false
    for _, p in ipairs(acc.plants) do if p.id == id and p.key == ch.key then owner_dropped = true end end
    for _, p in ipairs(acc.decoys) do if p.id == id and p.key == ch.key then owner_dropped = true end end
    if not owner_dropped then mc[#mc + 1] = ch end
  end
  acc.model_changes = mc
end

-- Drops plants until every planted check passes with margin and nothing else comes near a
-- threshold. Returns the findings, or nil when the background itself is too close.
local function settle(acc)
  for _, list in ipairs({acc.plants, acc.decoys}) do
    for _, p in ipairs(list) do if p.dropped then drop_plant(acc, p.id, p.dropped) end end
  end
  for _ = 1, 60 do
    local cands, info = oracle(acc)
    local findings, trouble = {}, nil
    local live = {}
    for _, p in ipairs(acc.plants) do if not p.dropped and p.kind ~= "fixed" then live[#live + 1] = p end end
    for _, p in ipairs(live) do
      local hit
      for _, c in ipairs(cands) do if plant_matches(p, c) then hit = c end end
      if not hit or hit.ratio < PASS then
        trouble = {drop = p.id, why = hit and string.format("ratio %.3f", hit.ratio) or "no finding"}
        break
      end
      findings[#findings + 1] = {plant = p, c = hit}
    end
    if not trouble then
      for _, c in ipairs(cands) do
        local planted = false
        for _, p in ipairs(live) do if plant_matches(p, c) then planted = true end end
        if not planted and c.ratio > SAFE then
          local own = owners_of(acc, c)
          local last
          for id in pairs(own) do if not last or id > last then last = id end end
          if not last then return nil, "background near " .. c.kind end
          trouble = {drop = last, why = string.format("side finding %s %s %.3f", c.kind, c.key or c.model or c.app, c.ratio)}
          break
        end
      end
    end
    -- The alternative model must be clear for every expensive finding.
    if not trouble then
      for _, f in ipairs(findings) do
        local a = info.alt[f.c.model]
        local m = info.agg.model[f.c.model]
        -- Another choice of alternative would move the impact by at most 1 %.
        local sway = a and m and (a.r_other - a.r_alt) * m.tokens / 1e6 * 30.4 / acc.days / f.c.impact or 1
        if (f.c.kind == "expensive_model" or f.c.kind == "expensive_model_spread") and (not a or sway > 0.01) then
          trouble = {drop = f.plant.id, why = "alternative model unclear"}
          break
        end
      end
    end
    -- Fixed moves must be off a clearly expensive model.
    if not trouble then
      for _, o in ipairs(acc.observations) do
        if (info.rate[o.from_model] or 0) < PASS * T.expensive_multiple * info.blended then
          trouble = {drop = o.plant, why = "fixed model not expensive"}
          break
        end
      end
    end
    if not trouble then return findings, info end
    drop_plant(acc, trouble.drop, trouble.why)
  end
  return nil, "did not settle"
end

-- The scenario JSON (docs/simulator.md) of an account.
local function scenario_of(acc, seed)
  local sc = {name = "planted-" .. seed, description = "planted-problem account, seed " .. seed,
              organization = {name = "Planted Org " .. seed, total_credits = 100000},
              history_days = 130, detail_days = 45,
              pricing = {web_search_per_request = acc.web_price, web_fetch_per_request = acc.fetch_price,
                         file_per_page = acc.page_price, byok_fee_rate = acc.fee_rate},
              workspaces = {}, users = acc.users, apps = {}, keys = {}, models = {}, streams = {}}
  for i, w in ipairs(acc.workspaces) do sc.workspaces[i] = {id = w.id, name = w.name} end
  for _, id in ipairs(acc.app_list) do
    local a = acc.apps[id]
    sc.apps[#sc.apps + 1] = {id = a.id, name = a.name, origin = a.origin}
  end
  for _, name in ipairs(acc.key_list) do
    local k = acc.keys[name]
    sc.keys[#sc.keys + 1] = {id = k.id, name = k.name, workspace = k.workspace, user = k.user, created = "2025-06-01"}
  end
  for _, slug in ipairs(acc.model_list) do
    local m = acc.models[slug]
    sc.models[#sc.models + 1] = {slug = slug, prices = m.prices, native_web_search = m.native,
                                 providers = {{name = PROVIDERS[(#sc.models % #PROVIDERS) + 1], weight = 1,
                                               latency_ms = 700, throughput = 80}}}
  end
  for _, st in ipairs(acc.streams) do
    local changes
    for _, c in ipairs(st.changes) do
      changes = changes or {}
      changes[#changes + 1] = {week_start_ago = c.week_start_ago, model = c.model, volume = c.volume}
    end
    local o = {key = st.key, model = st.model, app = st.app, requests_per_day = st.rpd, weekly = st.weekly,
               hourly = "office", daily_noise = st.noise, exact_volume = st.exact,
               prompt_tokens = {mean = st.P, sigma = st.sigma}, completion_tokens = {mean = st.C, sigma = st.sigma},
               changes = changes}
    local opt = {reasoning_share = st.rs, cache_hit_rate = st.chr, cache_write_share = st.cws,
                 web_search_rate = st.ws, file_rate = st.fr, web_fetch_rate = st.fer, byok_share = st.byok,
                 data_discount = st.dd, external_users = st.external_users}
    for k, v in pairs(opt) do if v and v ~= 0 then o[k] = v end end
    sc.streams[#sc.streams + 1] = o
  end
  return sc
end

-- JSON with object keys sorted (byte-identical files for a seed; LuaJIT's table order is
-- not stable between processes). An empty table is an array.
-- The text of file `path`, or nil when it cannot be read (the scorers read their runs' output).
function M.read_file(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local t = f:read("*a")
  f:close()
  return t
end

function M.encode(v)
  local t = type(v)
  if t == "table" then
    if next(v) == nil or v[1] ~= nil then
      local parts = {}
      for i = 1, #v do parts[i] = M.encode(v[i]) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    local parts = {}
    for i, k in ipairs(keys) do
      local val = v[k]
      if val == nil then val = v[tonumber(k)] end
      parts[i] = string.format("%q", k):gsub("\\\n", "\\n") .. ":" .. M.encode(val)
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif t == "string" then
    return (string.format("%q", v):gsub("\\\n", "\\n"))
  elseif t == "number" then
    if v == math.floor(v) and math.abs(v) < 1e15 then return string.format("%d", v) end
    return string.format("%.17g", v)
  elseif t == "boolean" then
    return tostring(v)
  end
  return "null"
end

-- A random account for `seed`: {seed, now, scenario, truth}.
function M.generate(seed)
  local acc, findings, info
  for attempt = 0, 40 do
    acc = build(seed, attempt)
    findings, info = settle(acc)
    if findings then break end
  end
  assert(findings, "planted: no consistent account for seed " .. seed)
  local problems = {}
  for _, f in ipairs(findings) do
    local p, c = f.plant, f.c
    problems[#problems + 1] = {kind = p.kind, key = c.key, model = c.model,
                               app = c.app and acc.apps[c.app].name or nil,
                               impact_usd = round(c.impact, 2), margin = round(c.ratio, 3)}
  end
  table.sort(problems, function(x, y) return x.impact_usd > y.impact_usd end)
  local decoys, dropped = {}, {}
  for _, p in ipairs(acc.decoys) do
    if not p.dropped then
      decoys[#decoys + 1] = {kind = p.kind, key = p.key, model = p.model,
                             app = p.app and acc.apps[p.app].name or nil, component = p.component}
    else
      dropped[#dropped + 1] = p.kind .. ": " .. p.dropped
    end
  end
  for _, p in ipairs(acc.plants) do if p.dropped then dropped[#dropped + 1] = p.kind .. ": " .. p.dropped end end
  local total_rpd = 0
  for _, st in ipairs(acc.streams) do total_rpd = total_rpd + st.rpd end
  local truth = {
    seed = seed, now = acc.now, thresholds = T,
    window = {from = iso_day(acc.month_start), to = iso_day(acc.month_end), days = acc.days},
    account = {keys = #acc.key_list, models = #acc.model_list, apps = #acc.app_list, streams = #acc.streams,
               workspaces = #acc.workspaces, requests_per_day = round(total_rpd),
               monthly_usd = round(info.agg.all.total * 30.4 / acc.days, 2), blended_per_mtok = round(info.blended, 4)},
    problems = problems, observations = {}, decoys = decoys, dropped = dropped,
  }
  for _, o in ipairs(acc.observations) do
    truth.observations[#truth.observations + 1] = {kind = o.kind, key = o.key, from_model = o.from_model,
                                                   to_model = o.to_model, date = o.date}
  end
  return {seed = seed, now = acc.now, scenario = scenario_of(acc, seed), truth = truth}
end

return M
