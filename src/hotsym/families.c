/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel symbol -> syscall family, for execution evidence
 * (trace_summary.syscall_families_observed). The rules and both tables are
 * documented in docs/hot-index.md; keep them in step.
 *
 *   1. an exact kernel function name (the table below);
 *   2. a syscall entry point: __x64_sys_NAME, __ia32_sys_NAME,
 *      __arm64_sys_NAME, __se_sys_NAME, __do_sys_NAME, __ia32_compat_sys_NAME,
 *      __x64_compat_sys_NAME, ksys_NAME, __sys_NAME, sys_NAME: the family
 *      of syscall NAME;
 *   3. an LSM hook: security_HOOK or bpf_lsm_HOOK (and, for the lsm probe
 *      type, the bare hook name, which is rule 1): the family of HOOK;
 *   4. nothing else has a family (e.g. do_syscall_64, the entry code).
 */
#include <stdlib.h>
#include <string.h>

#include "rti/hotsym.h"

struct fam {
	const char *name;
	const char *family;
};

/* Kernel functions and LSM hooks, sorted by name (bsearch; a unit test
 * checks the order). */
static const struct fam functions[] = {
	{ "__fput", "file_io" },
	{ "__inet_stream_connect", "network" },
	{ "__sock_release", "network" },
	{ "bpf_check", "bpf" },
	{ "bpf_map_new_fd", "bpf" },
	{ "bpf_prog_load", "bpf" },
	{ "bprm_check_security", "process" },
	{ "bprm_creds_for_exec", "process" },
	{ "bprm_execve", "process" },
	{ "cap_capable", "credentials" },
	{ "capable", "credentials" },
	{ "commit_creds", "credentials" },
	{ "create_new_namespaces", "namespaces" },
	{ "do_dentry_open", "file_io" },
	{ "do_execveat_common", "process" },
	{ "do_exit", "process" },
	{ "do_filp_open", "file_io" },
	{ "do_group_exit", "process" },
	{ "do_init_module", "kernel_module" },
	{ "do_mmap", "memory" },
	{ "do_mount", "mount" },
	{ "do_mprotect_pkey", "memory" },
	{ "do_send_sig_info", "signal" },
	{ "do_sys_open", "file_io" },
	{ "do_sys_openat2", "file_io" },
	{ "do_truncate", "file_io" },
	{ "do_unlinkat", "file_io" },
	{ "fd_install", "file_io" },
	{ "file_open", "file_io" },
	{ "file_permission", "file_io" },
	{ "filp_close", "file_io" },
	{ "finit_module", "kernel_module" },
	{ "free_module", "kernel_module" },
	{ "group_send_sig_info", "signal" },
	{ "inet_accept", "network" },
	{ "inet_bind", "network" },
	{ "inet_csk_accept", "network" },
	{ "inet_listen", "network" },
	{ "inet_recvmsg", "network" },
	{ "inet_release", "network" },
	{ "inet_sendmsg", "network" },
	{ "inet_stream_connect", "network" },
	{ "kernel_clone", "process" },
	{ "kernel_module_request", "kernel_module" },
	{ "kernel_read_file", "kernel_module" },
	{ "kill_pid_info", "signal" },
	{ "load_module", "kernel_module" },
	{ "mmap_file", "memory" },
	{ "mprotect_fixup", "memory" },
	{ "override_creds", "credentials" },
	{ "path_mount", "mount" },
	{ "path_openat", "file_io" },
	{ "prepare_creds", "credentials" },
	{ "ptrace_access_check", "ptrace" },
	{ "ptrace_attach", "ptrace" },
	{ "revert_creds", "credentials" },
	{ "sb_mount", "mount" },
	{ "sb_umount", "mount" },
	{ "sock_close", "network" },
	{ "sock_recvmsg", "network" },
	{ "sock_sendmsg", "network" },
	{ "socket_accept", "network" },
	{ "socket_bind", "network" },
	{ "socket_connect", "network" },
	{ "socket_create", "network" },
	{ "socket_listen", "network" },
	{ "socket_recvmsg", "network" },
	{ "socket_sendmsg", "network" },
	{ "switch_task_namespaces", "namespaces" },
	{ "task_alloc", "process" },
	{ "task_fix_setgid", "credentials" },
	{ "task_fix_setuid", "credentials" },
	{ "task_kill", "signal" },
	{ "tcp_close", "network" },
	{ "tcp_connect", "network" },
	{ "tcp_recvmsg", "network" },
	{ "tcp_sendmsg", "network" },
	{ "tcp_v4_connect", "network" },
	{ "tcp_v6_connect", "network" },
	{ "udp_recvmsg", "network" },
	{ "udp_sendmsg", "network" },
	{ "udpv6_recvmsg", "network" },
	{ "udpv6_sendmsg", "network" },
	{ "unshare_nsproxy_namespaces", "namespaces" },
	{ "vfs_fsync", "file_io" },
	{ "vfs_mkdir", "file_io" },
	{ "vfs_open", "file_io" },
	{ "vfs_read", "file_io" },
	{ "vfs_readv", "file_io" },
	{ "vfs_rename", "file_io" },
	{ "vfs_rmdir", "file_io" },
	{ "vfs_unlink", "file_io" },
	{ "vfs_write", "file_io" },
	{ "vfs_writev", "file_io" },
	{ "vm_mmap_pgoff", "memory" },
	{ "wake_up_new_task", "process" },
};

/* Syscall names, sorted. */
static const struct fam syscalls[] = {
	{ "accept", "network" },
	{ "accept4", "network" },
	{ "bind", "network" },
	{ "bpf", "bpf" },
	{ "brk", "memory" },
	{ "capset", "credentials" },
	{ "chmod", "file_io" },
	{ "chown", "file_io" },
	{ "clone", "process" },
	{ "clone3", "process" },
	{ "close", "file_io" },
	{ "connect", "network" },
	{ "creat", "file_io" },
	{ "delete_module", "kernel_module" },
	{ "dup", "file_io" },
	{ "dup2", "file_io" },
	{ "dup3", "file_io" },
	{ "execve", "process" },
	{ "execveat", "process" },
	{ "exit", "process" },
	{ "exit_group", "process" },
	{ "fchmod", "file_io" },
	{ "fchmodat", "file_io" },
	{ "fchown", "file_io" },
	{ "fchownat", "file_io" },
	{ "fdatasync", "file_io" },
	{ "finit_module", "kernel_module" },
	{ "fork", "process" },
	{ "fsconfig", "mount" },
	{ "fsmount", "mount" },
	{ "fsopen", "mount" },
	{ "fsync", "file_io" },
	{ "ftruncate", "file_io" },
	{ "getdents64", "file_io" },
	{ "getpeername", "network" },
	{ "getsockname", "network" },
	{ "getsockopt", "network" },
	{ "init_module", "kernel_module" },
	{ "ioctl", "file_io" },
	{ "kill", "signal" },
	{ "link", "file_io" },
	{ "linkat", "file_io" },
	{ "listen", "network" },
	{ "lseek", "file_io" },
	{ "madvise", "memory" },
	{ "mkdir", "file_io" },
	{ "mkdirat", "file_io" },
	{ "mmap", "memory" },
	{ "mount", "mount" },
	{ "move_mount", "mount" },
	{ "mprotect", "memory" },
	{ "mremap", "memory" },
	{ "munmap", "memory" },
	{ "newfstatat", "file_io" },
	{ "open", "file_io" },
	{ "open_tree", "mount" },
	{ "openat", "file_io" },
	{ "openat2", "file_io" },
	{ "pivot_root", "mount" },
	{ "pread64", "file_io" },
	{ "preadv", "file_io" },
	{ "preadv2", "file_io" },
	{ "process_vm_readv", "ptrace" },
	{ "process_vm_writev", "ptrace" },
	{ "ptrace", "ptrace" },
	{ "pwrite64", "file_io" },
	{ "pwritev", "file_io" },
	{ "pwritev2", "file_io" },
	{ "read", "file_io" },
	{ "readlink", "file_io" },
	{ "readlinkat", "file_io" },
	{ "readv", "file_io" },
	{ "recvfrom", "network" },
	{ "recvmmsg", "network" },
	{ "recvmsg", "network" },
	{ "rename", "file_io" },
	{ "renameat", "file_io" },
	{ "renameat2", "file_io" },
	{ "rmdir", "file_io" },
	{ "rt_sigqueueinfo", "signal" },
	{ "sendfile", "file_io" },
	{ "sendfile64", "file_io" },
	{ "sendmmsg", "network" },
	{ "sendmsg", "network" },
	{ "sendto", "network" },
	{ "setfsgid", "credentials" },
	{ "setfsuid", "credentials" },
	{ "setgid", "credentials" },
	{ "setgroups", "credentials" },
	{ "setns", "namespaces" },
	{ "setregid", "credentials" },
	{ "setresgid", "credentials" },
	{ "setresuid", "credentials" },
	{ "setreuid", "credentials" },
	{ "setsockopt", "network" },
	{ "setuid", "credentials" },
	{ "shutdown", "network" },
	{ "socket", "network" },
	{ "socketpair", "network" },
	{ "splice", "file_io" },
	{ "stat", "file_io" },
	{ "statx", "file_io" },
	{ "symlink", "file_io" },
	{ "symlinkat", "file_io" },
	{ "tgkill", "signal" },
	{ "tkill", "signal" },
	{ "truncate", "file_io" },
	{ "umount", "mount" },
	{ "umount2", "mount" },
	{ "unlink", "file_io" },
	{ "unlinkat", "file_io" },
	{ "unshare", "namespaces" },
	{ "vfork", "process" },
	{ "write", "file_io" },
	{ "writev", "file_io" },
};

static int fam_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct fam *)elem)->name);
}

static const char *lookup(const struct fam *t, size_t n, const char *name)
{
	const struct fam *f = bsearch(name, t, n, sizeof(*t), fam_cmp);

	return f ? f->family : NULL;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Exposed for the unit test of the table order. */
int rti_hotsym__families_sorted(void);
int rti_hotsym__families_sorted(void)
{
	for (size_t i = 1; i < N(functions); i++)
		if (strcmp(functions[i - 1].name, functions[i].name) >= 0)
			return 0;
	for (size_t i = 1; i < N(syscalls); i++)
		if (strcmp(syscalls[i - 1].name, syscalls[i].name) >= 0)
			return 0;
	return 1;
}

const char *rti_hotsym_syscall_family(const char *sym)
{
	static const char *const sys_prefixes[] = {
		"__x64_sys_", "__ia32_sys_", "__arm64_sys_", "__x64_compat_sys_",
		"__ia32_compat_sys_", "__se_sys_", "__do_sys_", "ksys_", "__sys_", "sys_",
	};
	static const char *const lsm_prefixes[] = { "security_", "bpf_lsm_" };
	const char *f;

	if (!sym || !*sym)
		return NULL;
	f = lookup(functions, N(functions), sym);
	if (f)
		return f;
	for (size_t i = 0; i < N(sys_prefixes); i++) {
		size_t n = strlen(sys_prefixes[i]);

		if (!strncmp(sym, sys_prefixes[i], n))
			return lookup(syscalls, N(syscalls), sym + n);
	}
	for (size_t i = 0; i < N(lsm_prefixes); i++) {
		size_t n = strlen(lsm_prefixes[i]);

		if (!strncmp(sym, lsm_prefixes[i], n))
			return lookup(functions, N(functions), sym + n);
	}
	return NULL;
}
