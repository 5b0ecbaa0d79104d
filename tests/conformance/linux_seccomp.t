#!/bin/bash
# linux.seccomp: a rule returns the errno it names, other syscalls are allowed;
# an argument filter matches only its value; a bad rule is refused.
. "$(dirname "$0")/lib.sh"

new_bundle '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
run_ct sh -c 'mkdir /newdir 2>&1; touch /newfile && echo touched'
expect "process exits 0" 0 "$RC" "$(diag_err)"
case "$OUT" in *"Operation not permitted"*touched) ok "the rule's errno is returned, other syscalls work" ;;
*) notok "the rule's errno is returned, other syscalls work" "out: $OUT" ;; esac

# chmod(path, 0700) is refused with EPERM; other modes pass.
new_bundle '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [{"index": 1, "value": 448, "op": "SCMP_CMP_EQ"}]},
                     {"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [{"index": 2, "value": 448, "op": "SCMP_CMP_EQ"}]}]}'
run_ct sh -c 'touch /f; chmod 755 /f && echo chmod-755-ok; chmod 700 /f || echo chmod-700-refused'
expect "an argument filter matches only its value" "chmod-755-ok
chmod-700-refused" "$OUT" "$(diag_err)"

new_bundle '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_NO_SUCH"}]}'
run_ct true
[ "$RC" -ne 0 ] && ok "an unknown action is refused" || notok "an unknown action is refused"

new_bundle '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "syscalls": [{"names": ["no_such_syscall_at_all"], "action": "SCMP_ACT_ALLOW"}]}'
run_ct true
[ "$RC" -ne 0 ] && ok "a default action that denies exec makes the container fail" ||
        notok "a default action that denies exec makes the container fail"
