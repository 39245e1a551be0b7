-- Runs the cost review on the account the simulator serves (any scenario, seed, --now)
-- and checks its "requests behind it" against the API (tests/lua/check_samples.lua).
-- Run by tests/lua/samples_accounts.lua over several accounts; prints
-- "review_samples_account: ok (N findings sampled)".
package.path = "recipes/?.lua;" .. package.path
local T = require "testlib"
local CS = require "check_samples"
local data = require("cost_review").run { samples = 4 }
local n = 0
T.test("the samples match /generation on this account", function()
  n = CS.check(T, data, { n = 4 })
  T.truthy(n >= 1, "at least one finding sampled")
end)
print(string.format("review_samples_account: ok (%d findings sampled)", n))
T.done()
