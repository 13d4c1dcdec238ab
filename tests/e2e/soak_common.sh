#!/usr/bin/env bash
# Sourced after common.sh by the randomized fault soaks (tests/e2e/soak_*.sh): their runs, budget and tally.
#
#   soak_begin RUNS BUDGET_S   sets RUNS (SOAK_RUNS, else RUNS), BASE (SOAK_SEED, else from the clock: the first
#                              run's seed, the next ones follow) and BUDGET (SOAK_BUDGET_S, else BUDGET_S); says them
#   soak_time_up I             true, saying so, once the budget is used up (checked before run I)
#   soak_ran SEED I CODE LINE PROBLEM [DETAIL...]
#                              tallies exit CODE and says LINE; with a PROBLEM (one or more lines) says each and
#                              the DETAIL lines, records the run for soak_end and returns 1
#   soak_end                   says the exit codes seen and the time taken; fails, naming each run that broke the
#                              rules and how to replay it (SOAK_SEED=SEED SOAK_RUNS=1), if any did

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  echo "soak_common.sh: helpers for the randomized soaks (sourced after common.sh); nothing to run on its own"
  exit 0
fi

declare -A SOAK_EXITS=()
SOAK_FAILURES=()

soak_begin() {
  RUNS=${SOAK_RUNS:-$1}
  BASE=${SOAK_SEED:-$(($(date +%s%N) % 1000000000))}
  BUDGET=${SOAK_BUDGET_S:-$2}
  SOAK_START=$SECONDS
  say "SOAK_SEED=$BASE, $RUNS runs (budget ${BUDGET} s)"
}

soak_time_up() {
  ((SECONDS - SOAK_START >= BUDGET)) || return 1
  say "time budget of ${BUDGET} s used up after $1 runs"
}

soak_ran() {
  local seed=$1 i=$2 code=$3 line=$4 problem=$5 p
  shift 5
  SOAK_EXITS[$code]=$((${SOAK_EXITS[$code]:-0} + 1))
  say "$line"
  [[ -n $problem ]] || return 0
  while IFS= read -r p; do say "  FAIL: $p"; done <<<"$problem"
  for p in "$@"; do say "  $p"; done
  SOAK_FAILURES+=("run $i (SOAK_SEED=$seed SOAK_RUNS=1): $(head -n 1 <<<"$problem")")
  return 1
}

soak_end() {
  local summary="" code
  for code in $(printf '%s\n' "${!SOAK_EXITS[@]}" | sort -n); do summary+=" exit $code: ${SOAK_EXITS[$code]};"; done
  say "exit codes:$summary total $((SECONDS - SOAK_START)) s"
  if ((${#SOAK_FAILURES[@]})); then
    say "${#SOAK_FAILURES[@]} run(s) broke the rules:"
    printf '  %s\n' "${SOAK_FAILURES[@]}" >&9
    return 1
  fi
  say "ok"
}
