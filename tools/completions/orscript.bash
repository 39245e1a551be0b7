# bash completion for orscript.
# The candidates come from the binary itself (`orscript --complete -- WORDS...`), so they
# follow its options, the installed recipes and their options, the shipped scenarios and
# the metric and dimension catalogue. Installed as share/bash-completion/completions/orscript.
_orscript() {
  local cur=${COMP_WORDS[COMP_CWORD]} prog=${COMP_WORDS[0]} line out
  local want_files=0 want_dirs=0
  COMPREPLY=()
  [[ $prog == "~/"* ]] && prog=$HOME/${prog#"~/"}
  out=$("$prog" --complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
  while IFS= read -r line; do
    case $line in
      @files) want_files=1 ;;
      @dirs) want_dirs=1 ;;
      '') ;;
      *) COMPREPLY+=("$line") ;;
    esac
  done <<<"$out"
  if ((want_files || want_dirs)); then
    compopt -o filenames 2>/dev/null
    if ((want_files)); then
      mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
    else
      mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur")
    fi
  fi
  return 0
}
complete -F _orscript orscript
