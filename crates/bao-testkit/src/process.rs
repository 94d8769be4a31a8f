//! Ending a child that leads its own process group (spawned with `process_group(0)`).
//!
//! Signals go through `libc::kill` rather than the `kill` program: procps-ng 4.0.2's
//! `kill -TERM -12345` sends the signal to group `-1` (it keeps only the first digit of a
//! negative pid), and `kill(-1, …)` as root signals every process on the machine.

use std::process::Child;

/// Sends `signal` to the process group led by `child`, if the group still exists.
pub fn signal_group(child: &Child, signal: libc::c_int) {
    let pgid = group_id(child);
    // SAFETY: a plain syscall; `pgid` is a positive pid (checked in `group_id`), so `-pgid`
    // names exactly that one group, never "every process" (-1) or "my own group" (0).
    unsafe {
        libc::kill(-pgid, signal);
    }
}

/// Whether any process of the group led by `child` still exists.
pub fn group_alive(child: &Child) -> bool {
    // SAFETY: signal 0 only checks for existence; same argument as in `signal_group`.
    unsafe { libc::kill(-group_id(child), 0) == 0 }
}

/// Kills the whole group led by `child` (SIGKILL) and reaps the child.
pub fn kill_group(child: &mut Child) {
    signal_group(child, libc::SIGKILL);
    let _ = child.kill();
    let _ = child.wait();
}

fn group_id(child: &Child) -> libc::pid_t {
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits in pid_t");
    assert!(pid > 1, "refusing to signal process group {pid}");
    pid
}
