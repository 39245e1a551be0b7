-- Classifier queries against the demo's "Task type" classifier: columns, long form,
-- filters, the 31-day rule, q:explain(), and the checks both sides make.
local T = require "testlib"
local C = "5f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"
local week = orscript.time.last_days(7)

T.test("named classifier dimensions become columns; their counts add up to the tagged traffic", function()
  local t = orscript.query { metrics = { "request_count", "total_usage" }, range = week,
                             classifier = { id = C, names = { "task_type" } } }:run()
  T.eq(t:info()[1].name, "task_type")
  local labels = {}
  for _, v in ipairs(t:col("task_type")) do labels[v] = true end
  T.truthy(labels.code_generation and labels.customer_support and labels.summarization, "demo labels present")
  local all = orscript.query { metrics = { "request_count" }, range = week }:run()[1].request_count
  local tagged = t:sum("request_count")
  T.truthy(tagged < all and tagged > 0.9 * all, ("tagged %d of %d (coverage 0.93)"):format(tagged, all))
  local with_nulls = orscript.query { metrics = { "request_count" }, range = week,
                                      classifier = { id = C, names = { "task_type" }, include_nulls = true } }:run()
  T.eq(with_nulls:sum("request_count"), all)
end)

T.test("classifier filters and regular dimensions combine", function()
  local t = orscript.query { metrics = { "request_count" }, by = { "api_key_id" }, range = week,
                             classifier = { id = C, where = { { "task_type", "in", { "code_generation", "debugging" } } } } }:run()
  T.eq(#t, 1)
  T.eq(t[1].api_key_id, "coding-agent")
  local long = orscript.query { metrics = { "request_count" }, range = week, classifier = { id = C } }:run()
  T.eq(long:info()[1].name, "clf_dimension_name")
  T.eq(long:info()[2].name, "clf_dimension_value")
end)

T.test("q:explain() describes the classifier; both sides check it", function()
  local q = orscript.query { metrics = { "request_count" }, range = week,
                             classifier = { id = C, names = { "complexity" }, where = { { "task_type", "eq", "chat" } } } }
  local text = q:explain()
  T.truthy(text:find("classifier:  " .. C .. ": grouped by its complexity", 1, true), text)
  T.truthy(text:find("classifier filters: task_type eq \"chat\"", 1, true), text)
  T.truthy(text:find("generation-level (classifier)", 1, true), text)
  T.raises(function() orscript.query { metrics = { "request_count" }, classifier = { id = C, names = { "task type" } } } end,
    "name 1 must be a dimension name")
  T.raises(function() orscript.query { metrics = { "request_count" }, classifier = { id = C, where = { { "task_type", "gt", "a" } } } } end,
    "only eq, neq, in and not_in are allowed")
  local ok, err = pcall(function()
    return orscript.query { metrics = { "request_count" }, range = week, classifier = { id = C, names = { "topic" } } }:run()
  end)
  T.eq(ok, false)
  T.eq(err.status, 400)
  T.truthy(err.api_message:find("Unknown dimension \"topic\"", 1, true), err.api_message)
end)

T.done()
