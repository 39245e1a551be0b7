#include "bindings/lua_json.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>
#include <vector>

#include "bindings/binding.hpp"

namespace orscript::lua {

void push_json(lua_State* L, const boost::json::value& v) {
  luaL_checkstack(L, 4, "JSON nested too deeply");
  switch (v.kind()) {
    case boost::json::kind::null: push_null(L); break;
    case boost::json::kind::bool_: lua_pushboolean(L, v.get_bool()); break;
    case boost::json::kind::int64: lua_pushnumber(L, static_cast<lua_Number>(v.get_int64())); break;
    case boost::json::kind::uint64: lua_pushnumber(L, static_cast<lua_Number>(v.get_uint64())); break;
    case boost::json::kind::double_: lua_pushnumber(L, v.get_double()); break;
    case boost::json::kind::string: {
      auto& s = v.get_string();
      lua_pushlstring(L, s.data(), s.size());
      break;
    }
    case boost::json::kind::array: {
      auto& a = v.get_array();
      lua_createtable(L, static_cast<int>(a.size()), 0);
      int i = 1;
      for (auto& e : a) {
        push_json(L, e);
        lua_rawseti(L, -2, i++);
      }
      break;
    }
    case boost::json::kind::object: {
      auto& o = v.get_object();
      lua_createtable(L, 0, static_cast<int>(o.size()));
      for (auto& kv : o) {
        lua_pushlstring(L, kv.key().data(), kv.key().size());
        push_json(L, kv.value());
        lua_rawset(L, -3);
      }
      if (o.empty()) {
        luaL_getmetatable(L, kObjectMeta);
        lua_setmetatable(L, -2);
      }
      break;
    }
  }
}

namespace {

struct Encoder {
  lua_State* L;
  std::unordered_set<const void*> seen;
  std::vector<std::string> path;

  std::string where() const {
    std::string p;
    for (auto& s : path) p += s;
    return p.empty() ? "value" : p;
  }
  [[noreturn]] void fail(const std::string& what) {
    throw Error(ErrorKind::usage, "cannot convert " + where() + " to JSON: " + what);
  }

  bool has_object_meta(int idx) {
    if (!lua_getmetatable(L, idx)) return false;
    luaL_getmetatable(L, kObjectMeta);
    bool same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return same;
  }

  boost::json::value encode(int idx) {
    idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
    switch (lua_type(L, idx)) {
      case LUA_TNIL: return nullptr;
      case LUA_TBOOLEAN: return static_cast<bool>(lua_toboolean(L, idx));
      case LUA_TNUMBER: {
        double d = lua_tonumber(L, idx);
        if (!std::isfinite(d)) fail("number is not finite");
        if (d == std::floor(d) && std::fabs(d) < 9007199254740992.0) return static_cast<std::int64_t>(d);
        return d;
      }
      case LUA_TSTRING: {
        std::size_t n;
        const char* s = lua_tolstring(L, idx, &n);
        return boost::json::string(s, n);
      }
      case LUA_TTABLE: return encode_table(idx);
      case LUA_TUSERDATA:
        if (is_null(L, idx)) return nullptr;
        [[fallthrough]];
      default: fail(std::string("a ") + luaL_typename(L, idx) + " has no JSON form");
    }
  }

  boost::json::value encode_table(int idx) {
    const void* p = lua_topointer(L, idx);
    if (!seen.insert(p).second) fail("the table contains itself");
    luaL_checkstack(L, 6, "table nested too deeply");
    // Count keys; decide array vs object.
    std::size_t n = 0, max_index = 0;
    bool all_int = true;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      ++n;
      if (lua_type(L, -2) == LUA_TNUMBER) {
        double k = lua_tonumber(L, -2);
        if (k >= 1 && k == std::floor(k)) max_index = std::max<std::size_t>(max_index, static_cast<std::size_t>(k));
        else all_int = false;
      } else {
        all_int = false;
      }
      lua_pop(L, 1);
    }
    boost::json::value out;
    if (n == 0) {
      out = has_object_meta(idx) ? boost::json::value(boost::json::object()) : boost::json::value(boost::json::array());
    } else if (all_int && max_index == n) {
      boost::json::array a;
      a.reserve(n);
      for (std::size_t i = 1; i <= n; ++i) {
        lua_rawgeti(L, idx, static_cast<int>(i));
        path.push_back("[" + std::to_string(i) + "]");
        a.push_back(encode(-1));
        path.pop_back();
        lua_pop(L, 1);
      }
      out = std::move(a);
    } else {
      // Keys in sorted order, so one table always encodes to the same text (q:body()
      // is then byte for byte what q:run() sends).
      std::vector<std::string> keys;
      keys.reserve(n);
      lua_pushnil(L);
      while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING) {
          lua_pop(L, 2);
          fail("a table mixes array items and named fields");
        }
        std::size_t kn;
        const char* k = lua_tolstring(L, -2, &kn);
        keys.emplace_back(k, kn);
        lua_pop(L, 1);
      }
      std::sort(keys.begin(), keys.end());
      boost::json::object o;
      o.reserve(keys.size());
      for (auto& k : keys) {
        lua_pushlstring(L, k.data(), k.size());
        lua_rawget(L, idx);
        path.push_back((path.empty() ? "" : ".") + k);
        o[k] = encode(-1);
        path.pop_back();
        lua_pop(L, 1);
      }
      out = std::move(o);
    }
    seen.erase(p);
    return out;
  }
};

}  // namespace

boost::json::value to_json(lua_State* L, int idx) {
  Encoder enc{L, {}, {}};
  return enc.encode(idx);
}

void open_json(lua_State* L) {
  luaL_newmetatable(L, kObjectMeta);
  lua_pushstring(L, kObjectMeta);
  lua_setfield(L, -2, "__name");
  lua_pop(L, 1);
}

}  // namespace orscript::lua
