#!/usr/bin/env bash
# SIGINT ends a download promptly with exit 130 (no hang), both while transfers are stalled mid-body and while the
# writer is blocked on a full stdout pipe; what reached stdout is a correct prefix of the object.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
interrupt_cases INT 130
say "ok"
