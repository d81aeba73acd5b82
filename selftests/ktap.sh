# SPDX-License-Identifier: GPL-2.0
#
# KTAP output for vmsim's shell selftests (sourced, busybox sh compatible).
#
#   ktap_header N          TAP version line and plan
#   ktap_ok NAME           a passing test
#   ktap_fail NAME [WHY]   a failing test
#   ktap_skip NAME WHY     a skipped test
#   ktap_result COND NAME  ok if the command COND... succeeds (eval'd)
#   ktap_finish            totals line; exit 1 if anything failed or the
#                          number of results is not the plan, 4 if all skipped

KTAP_N=0
KTAP_PLAN=0
KTAP_PASS=0
KTAP_FAIL=0
KTAP_SKIP=0

ktap_header() {
	KTAP_PLAN=$1
	echo "TAP version 13"
	echo "1..$1"
}

ktap_ok() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_PASS=$((KTAP_PASS + 1))
	echo "ok $KTAP_N $1"
}

ktap_fail() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_FAIL=$((KTAP_FAIL + 1))
	[ -n "${2:-}" ] && echo "# $1: $2"
	echo "not ok $KTAP_N $1"
}

ktap_skip() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "ok $KTAP_N $1 # SKIP $2"
}

ktap_finish() {
	# A test that stopped early, or a plan that is out of date, fails.
	[ "$KTAP_N" -eq "$KTAP_PLAN" ] ||
		ktap_fail plan_matches "planned $KTAP_PLAN results, gave $KTAP_N"
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:0 xpass:0 skip:$KTAP_SKIP error:0"
	[ "$KTAP_FAIL" -eq 0 ] || exit 1
	[ "$KTAP_PASS" -eq 0 ] && [ "$KTAP_SKIP" -gt 0 ] && exit 4
	exit 0
}
