/**
 * What the Kubernetes Pod Security Standards "baseline" profile allows a pod to set, as sourced data:
 * the allowlist kubernetes/node-access reads (anything else on those fields reaches the node).
 *
 * Source: the Pod Security Standards page, "Baseline" profile
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline), and the values of
 * its reference implementation, github.com/kubernetes/pod-security-admission at commit
 * 8f84a87c7f617f64a4ddc1aea24aeeb7a2e07cb8, policy/check_capabilities_baseline.go,
 * check_sysctls.go, check_seLinuxOptions.go (1.31 set), check_seccompProfile_baseline.go,
 * check_appArmorProfile.go, check_procMount_baseline.go. Changing a list here is a reviewed change
 * that names the page and commit it follows.
 */

/** Capabilities a container may add (`securityContext.capabilities.add`), exactly as written. */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

/** Sysctls a pod may set (`spec.securityContext.sysctls[*].name`): namespaced and isolated per pod. */
export const BASELINE_SYSCTLS: ReadonlySet<string> = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
  "net.ipv4.tcp_slow_start_after_idle",
  "net.ipv4.tcp_notsent_lowat",
]);

/** SELinux types (`seLinuxOptions.type`); `user` and `role` must stay unset or empty. */
export const BASELINE_SELINUX_TYPES: ReadonlySet<string> = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);

/** Seccomp and AppArmor profile types (`seccompProfile.type`, `appArmorProfile.type`): never `Unconfined`. */
export const BASELINE_PROFILE_TYPES: ReadonlySet<string> = new Set(["RuntimeDefault", "Localhost"]);

/** The pre-1.30 AppArmor annotation (`container.apparmor.security.beta.kubernetes.io/<container>`), still honoured. */
export const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";
export const baselineAppArmorAnnotation = (value: string) => value === "" || value === "runtime/default" || value.startsWith("localhost/");

/** `/proc` mount type (`securityContext.procMount`): only the default masks. */
export const BASELINE_PROC_MOUNT = "Default";
