#!/usr/bin/env bash
# The Debian package as a user gets it. cpack builds it from the build tree, dpkg -x
# unpacks it into a scratch folder, and the unpacked orscript runs the demo review (by
# recipe name and by path, with an HTML report), --help and -v, its man page renders
# without a groff warning, and the bash and zsh completions load and answer, all inside
# a private mount namespace where an empty tmpfs covers the source and build trees:
# the binary has to find its library relative to itself.
#
#   tests/install/test_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "${1:-}" != --inside ]; then
  build=$(realpath "$1") src=$(realpath "$2")
  scratch=$(mktemp -d /tmp/orscript-package.XXXXXX)
  trap 'rm -rf "$scratch"' EXIT
  cpack --config "$build/CPackConfig.cmake" -G DEB -B "$scratch/pkg" >"$scratch/cpack.log" 2>&1 ||
    { cat "$scratch/cpack.log" >&2; fail "cpack failed"; }
  version=$("$build/orscript" -v | awk '{print $2}')
  deb="$scratch/pkg/orscript_${version}_$(dpkg --print-architecture).deb"
  [ -f "$deb" ] || fail "no $(basename "$deb"); cpack made: $(ls "$scratch/pkg")"

  # Depends comes from dpkg-shlibdeps: every shared library the binary links, with versions;
  # plus OpenSSL, which a fast-start build (the default) loads on first use, so the
  # linked libraries are exactly libc and libm there.
  depends=$(dpkg-deb -f "$deb" Depends)
  echo "Depends: $depends"
  if ldd "$build/orscript" | grep -q libluajit; then
    libs="libc6 libstdc++6 libluajit-5.1-2 libssl3 libedit2 libboost-json1.81.0"
  else
    libs="libc6 libssl3"
    for lib in libstdc++6 libluajit-5.1-2 libedit2 libboost-json1.81.0; do
      ! grep -qF "$lib" <<<"$depends" || fail "Depends names $lib, which is linked statically: $depends"
    done
  fi
  for lib in $libs; do
    grep -qF "$lib (>= " <<<"$depends" || fail "Depends lacks a versioned $lib: $depends"
  done
  [ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "package version is not orscript -v's $version"
  maintainer=$(dpkg-deb -f "$deb" Maintainer)
  grep -Eq '^[^<]+ <[^@ ]+@[^> ]+>$' <<<"$maintainer" && ! grep -q noreply <<<"$maintainer" ||
    fail "Maintainer is a placeholder or malformed: $maintainer"

  root=$scratch/root
  dpkg -x "$deb" "$root"
  for f in usr/bin/orscript usr/share/orscript/scripts/orscript/init.lua usr/share/orscript/scripts/orscript/meta/orscript.lua \
           usr/share/orscript/recipes/cost_review.lua usr/share/orscript/scenarios/demo.json usr/share/man/man1/orscript.1 \
           usr/share/bash-completion/completions/orscript usr/share/zsh/vendor-completions/_orscript \
           usr/share/doc/orscript/README.md usr/share/doc/orscript/docs/scripting.md \
           usr/share/doc/orscript/copyright usr/share/doc/orscript/changelog.gz; do
    [ -f "$root/$f" ] || fail "the package lacks /$f"
  done
  # The changelog's newest entry is this version; the copyright file names orscript and,
  # for each statically linked library, carries its notice (LuaJIT's as the sample).
  head -1 <(zcat "$root/usr/share/doc/orscript/changelog.gz") | grep -qF "orscript ($version) " ||
    fail "changelog.gz does not start with version $version"
  copyright=$root/usr/share/doc/orscript/copyright
  grep -q '^Upstream-Name: orscript$' "$copyright" || fail "the copyright file does not name orscript"
  if ! ldd "$build/orscript" | grep -q libluajit; then
    grep -q 'Mike Pall' "$copyright" || fail "the copyright file lacks LuaJIT's notice (linked statically)"
  fi
  # Nothing in the package names the trees it was built from (the binary is stripped).
  if hits=$(grep -rlF -e "$src" -e "$build" "$root"); then fail "build paths baked into: $hits"; fi

  # The review from the build tree, for comparison with the unpacked one.
  (cd "$scratch" && NO_COLOR=1 ORSCRIPT_CACHE_DIR="$scratch/ref-cache" \
     "$build/orscript" --demo --now 2026-11-18T12:00:00Z "$src/recipes/cost_review.lua" >reference.txt 2>/dev/null) ||
    fail "the build tree's review failed"
  cp "$0" "$scratch/inside.sh"
  if unshare -rm true 2>/dev/null; then
    unshare -rm bash "$scratch/inside.sh" --inside "$scratch" "$src" "$build" "$version"
    exit
  fi
  echo "note: no mount namespace here (unshare -rm failed); the trees stay visible, but no path to them is in the package" >&2
  bash "$scratch/inside.sh" --inside "$scratch" "" "" "$version"
  exit
fi

# ---- inside the namespace ------------------------------------------------------------
scratch=$2 src=$3 build=$4 version=$5
root=$scratch/root
if [ -n "$src" ]; then
  mount -t tmpfs none "$src"
  if [ -d "$build" ]; then mount -t tmpfs none "$build"; fi
  [ ! -e "$src/CMakeLists.txt" ] || fail "the source tree is still visible"
fi
export PATH="$root/usr/bin:/usr/bin:/bin" HOME="$scratch/home" XDG_CACHE_HOME="$scratch/cache" NO_COLOR=1
unset ORSCRIPT_PATH ORSCRIPT_CACHE_DIR OPENROUTER_API_KEY OPENROUTER_BASE_URL
mkdir -p "$HOME" && cd "$scratch"

[ "$(command -v orscript)" = "$root/usr/bin/orscript" ] || fail "PATH does not reach the unpacked orscript"
orscript --help >help.txt || fail "--help exited $?"
grep -q '^Exit codes:' help.txt && grep -q -- '--demo' help.txt || fail "--help text incomplete"
v=$(orscript -v)
grep -Eq "^orscript $version \(git [0-9a-f]+(-dirty)?, " <<<"$v" || fail "-v: $v"

orscript --demo --now 2026-11-18T12:00:00Z cost_review --html review.html >review.txt 2>review.err ||
  { cat review.err >&2; fail "the demo review by name exited $?"; }
grep -q '^RECOMMENDATIONS ' review.txt || fail "the review lacks its recommendations"
cmp -s review.txt reference.txt || fail "the unpacked review differs from the build tree's"
grep -q '<svg' review.html || fail "the HTML report has no chart"
orscript --demo --now 2026-11-18T12:00:00Z "$root/usr/share/orscript/recipes/cost_review.lua" >by_path.txt 2>/dev/null
cmp -s review.txt by_path.txt || fail "the review by path differs from the review by name"
echo 'print(orscript.version)' | orscript --demo - >/dev/null 2>&1 || fail "a script on stdin cannot load the library"

# The man page: man -l and groff with every warning on say nothing on stderr.
man_page=$root/usr/share/man/man1/orscript.1
MANWIDTH=80 man --warnings=all -l "$man_page" >man.txt 2>man.err
[ ! -s man.err ] || { cat man.err >&2; fail "man -l warns"; }
groff -man -Tutf8 -wall -z "$man_page" 2>groff.err
[ ! -s groff.err ] || { cat groff.err >&2; fail "groff -wall warns"; }
for want in 'EXIT STATUS' ENVIRONMENT FILES RECIPES '--scenario NAME' OPENROUTER_API_KEY 'history'; do
  grep -q -- "$want" man.txt || fail "the man page lacks '$want'"
done

# Whether a completion answer (captured whole: grep -q on a pipe could cut the writer short)
# offers a candidate.
offers() { grep -qxF -- "$1" <<<"$2"; }

# bash: the script parses, and asking it to complete gives the binary's answers.
bash_completion=$root/usr/share/bash-completion/completions/orscript
bash -n "$bash_completion" || fail "bash -n failed"
complete_bash() {
  bash --norc -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _orscript; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$bash_completion" "$@"
}
offers --scenario "$(complete_bash orscript --sce)" || fail "bash: --sce"
[ "$(complete_bash orscript --scenario '' | grep -cx -e demo -e lean)" = 2 ] || fail "bash: scenario names"
offers cost_review "$(complete_bash orscript --demo cost)" || fail "bash: recipe names"
offers --html "$(complete_bash orscript cost_review --ht)" || fail "bash: a recipe's options"
offers total_usage,tokens_total "$(complete_bash orscript query total_usage,tok)" || fail "bash: metric names"
offers model "$(complete_bash orscript query total_usage by mod)" || fail "bash: dimension names"

# zsh: the script parses, and run with compadd/_files stand-ins it offers the same names.
zsh_completion=$root/usr/share/zsh/vendor-completions/_orscript
zsh -n "$zsh_completion" || fail "zsh -n failed"
complete_zsh() {
  zsh -f -c 'compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@" }; _files() { print -r -- "(files)" }
             _directories() { print -r -- "(dirs)" }
             file=$1; shift; words=("$@"); CURRENT=$#; source "$file"' _ "$zsh_completion" "$@"
}
offers --scenario "$(complete_zsh orscript --sce)" || fail "zsh: --sce"
offers lean "$(complete_zsh orscript --scenario l)" || fail "zsh: scenario names"
offers cost_review "$(complete_zsh orscript co)" || fail "zsh: recipe names"
offers '(files)' "$(complete_zsh orscript --api-key-file '')" || fail "zsh: file names"
offers country "$(complete_zsh orscript query total_usage by co)" || fail "zsh: dimension names"
echo "package OK: $(basename "$(ls "$scratch"/pkg/*.deb)")"
