//! A virtual machine's virtio-rng fed by `speckle run --egd`, end to end: Debian's
//! qemu-system-x86 (TCG, no KVM needed) boots the Debian kernel with a tiny busybox initramfs
//! built here, with `-object rng-egd` on the daemon's socket and `-device virtio-rng-pci`. The
//! guest reads /dev/hwrng and prints the SHA-256 of what it read; the test finds that digest over
//! a run of the bytes the daemon released (its file output beside the EGD socket).
//!
//! The guest's kernel gets `rng_core.default_quality=0`, so the kernel's own hwrng thread does not
//! read the device meanwhile: QEMU is the only EGD client and the guest reader the only hwrng
//! reader, so what it reads is one contiguous run of the stream (the driver may have taken a few
//! bytes before, at registration, which is why the run is searched for, not expected at 0).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NO_SKIP_ENV: &str = "SPECKLE_NO_SKIP";
const READ: usize = 1024;
const BOOT_WITHIN: Duration = Duration::from_secs(240);
/// Loaded in this order (each after what `modinfo -F depends` names for it, Debian 12's kernel).
const MODULES: [&str; 6] = [
    "drivers/virtio/virtio_ring.ko",
    "drivers/virtio/virtio.ko",
    "drivers/virtio/virtio_pci_modern_dev.ko",
    "drivers/virtio/virtio_pci_legacy_dev.ko",
    "drivers/virtio/virtio_pci.ko",
    "drivers/char/hw_random/virtio-rng.ko",
];

/// qemu, the kernel and its modules directory, busybox; or why not.
fn tools() -> Result<(PathBuf, PathBuf, PathBuf, PathBuf), String> {
    let qemu = PathBuf::from("/usr/bin/qemu-system-x86_64");
    let busybox = PathBuf::from("/bin/busybox");
    let kernel = std::fs::read_dir("/boot")
        .map_err(|e| format!("/boot: {e}"))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("vmlinuz-")))
        .max()
        .ok_or("no /boot/vmlinuz-* (Debian package linux-image-amd64)")?;
    let version =
        kernel.file_name().unwrap().to_string_lossy().trim_start_matches("vmlinuz-").to_string();
    let modules = PathBuf::from(format!("/lib/modules/{version}/kernel"));
    for (p, pkg) in
        [(&qemu, "qemu-system-x86"), (&busybox, "busybox-static"), (&modules, "linux-image-amd64")]
    {
        if !p.exists() {
            return Err(format!("{} missing (Debian package {pkg})", p.display()));
        }
    }
    Ok((qemu, kernel, modules, busybox))
}

/// A newc cpio archive (what the kernel unpacks as its initramfs): entries of (name, mode, data).
fn cpio(entries: &[(&str, u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let pad = |out: &mut Vec<u8>| out.resize(out.len().div_ceil(4) * 4, 0);
    let trailer = ("TRAILER!!!", 0, Vec::new());
    for (i, (name, mode, data)) in entries.iter().chain(std::iter::once(&trailer)).enumerate() {
        let fields = [
            i as u32 + 1,
            *mode,
            0,
            0,
            1,
            0,
            data.len() as u32,
            0,
            0,
            0,
            0,
            name.len() as u32 + 1,
            0,
        ];
        out.extend_from_slice(b"070701");
        for f in fields {
            out.extend_from_slice(format!("{f:08X}").as_bytes());
        }
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        pad(&mut out);
        out.extend_from_slice(data);
        pad(&mut out);
    }
    out
}

fn initramfs(modules: &Path, busybox: &Path) -> Vec<u8> {
    let mut init = String::from("#!/bin/busybox sh\n/bin/busybox mount -t devtmpfs dev /dev\n");
    init += "/bin/busybox mount -t sysfs sys /sys\n";
    for m in MODULES {
        let name = Path::new(m).file_name().unwrap().to_string_lossy();
        init += &format!("/bin/busybox insmod /m/{name}\n");
    }
    init += "i=0; while [ ! -e /dev/hwrng ] && [ $i -lt 50 ]; do /bin/busybox sleep 0.2; i=$((i+1)); done\n";
    init += "echo \"SPECKLE-HWRNG $(/bin/busybox cat /sys/class/misc/hw_random/rng_current)\"\n";
    init += &format!("/bin/busybox head -c {READ} /dev/hwrng > /read.bin\n");
    init += "echo \"SPECKLE-READ $(/bin/busybox wc -c < /read.bin)\"\n";
    init += "echo \"SPECKLE-DIGEST $(/bin/busybox sha256sum /read.bin)\"\n";
    init += "echo \"SPECKLE-HEAD $(/bin/busybox od -An -tx1 -N16 /read.bin)\"\n";
    init += "/bin/busybox poweroff -f\n";
    let dir = 0o040755;
    let mut entries = vec![
        ("bin", dir, Vec::new()),
        ("dev", dir, Vec::new()),
        ("sys", dir, Vec::new()),
        ("m", dir, Vec::new()),
        ("bin/busybox", 0o100755, std::fs::read(busybox).unwrap()),
        ("init", 0o100755, init.into_bytes()),
    ];
    let names: Vec<String> = MODULES
        .iter()
        .map(|m| format!("m/{}", Path::new(m).file_name().unwrap().to_string_lossy()))
        .collect();
    for (m, name) in MODULES.iter().zip(&names) {
        entries.push((name.as_str(), 0o100644, std::fs::read(modules.join(m)).unwrap()));
    }
    cpio(&entries)
}

/// SHA-256 of `b` by coreutils' sha256sum (the host crate links no SHA-256).
fn sha256_hex(b: &[u8]) -> String {
    let mut child =
        Command::new("sha256sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
}

#[test]
fn a_qemu_guest_reads_the_released_stream_through_virtio_rng() {
    let (qemu, kernel, modules, busybox) = match tools() {
        Ok(t) => t,
        Err(why) if std::env::var_os(NO_SKIP_ENV).is_some() => {
            panic!("{why}; {NO_SKIP_ENV} is set, so this fails instead of skipping")
        }
        Err(why) => {
            eprintln!("SKIPPED: a_qemu_guest_reads_the_released_stream_through_virtio_rng: {why}");
            return;
        }
    };
    let _one = common::one_at_a_time();
    let dir = common::tmpdir("qemu-egd");
    let (sock, out, initrd) = (dir.join("egd.sock"), dir.join("out.bin"), dir.join("initrd.cpio"));
    std::fs::write(&initrd, initramfs(&modules, &busybox)).unwrap();
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_speckle"))
        .args(["run", "--source", "sim:optimal", "--duration", "300"])
        .args(["--output", &format!("file:{}", out.display())])
        .args(["--egd", sock.to_str().unwrap(), "--egd-serve-non-entropy-for-tests"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("daemon.log")).unwrap())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while !sock.exists() && t0.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let guest = Command::new(&qemu)
        .args(["-machine", "q35,accel=tcg", "-m", "256", "-nographic", "-no-reboot"])
        .arg("-kernel")
        .arg(&kernel)
        .arg("-initrd")
        .arg(&initrd)
        .args(["-append", "console=ttyS0 panic=-1 rng_core.default_quality=0 loglevel=3"])
        .args(["-chardev", &format!("socket,id=egd0,path={}", sock.display())])
        .args(["-object", "rng-egd,id=rng0,chardev=egd0"])
        .args(["-device", "virtio-rng-pci,rng=rng0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = guest.id();
    let watchdog = std::thread::spawn(move || {
        let t = Instant::now();
        while t.elapsed() < BOOT_WITHIN {
            std::thread::sleep(Duration::from_millis(200));
            if unsafe { libc::kill(pid as i32, 0) } != 0 {
                return false;
            }
        }
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        true
    });
    let res = guest.wait_with_output().unwrap();
    let killed = watchdog.join().unwrap();
    let took = t0.elapsed();
    unsafe { libc::kill(daemon.id() as i32, libc::SIGTERM) };
    assert!(daemon.wait().unwrap().success());
    let console = String::from_utf8_lossy(&res.stdout).replace('\r', "");
    let tail: String = console
        .lines()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !killed,
        "the guest did not finish within {BOOT_WITHIN:?}:\n{tail}\n{}",
        String::from_utf8_lossy(&res.stderr)
    );
    assert!(console.contains("SPECKLE-HWRNG virtio_rng"), "{tail}");
    assert!(console.contains(&format!("SPECKLE-READ {READ}")), "{tail}");
    let digest = console
        .lines()
        .find_map(|l| l.strip_prefix("SPECKLE-DIGEST "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no digest:\n{tail}"))
        .to_string();
    let released = std::fs::read(&out).unwrap();
    let log = std::fs::read_to_string(dir.join("daemon.log")).unwrap();
    // Where the run starts: by its first 16 bytes (printed beside the digest), then the digest
    // of the whole run there must match.
    let head: Vec<u8> = console
        .lines()
        .find_map(|l| l.strip_prefix("SPECKLE-HEAD "))
        .unwrap_or_else(|| panic!("no head:\n{tail}"))
        .split_whitespace()
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect();
    assert_eq!(head.len(), 16, "{tail}");
    let at = released.windows(READ).position(|w| w.starts_with(&head)).unwrap_or_else(|| {
        panic!("the guest's bytes are not in the {} released bytes\n{log}", released.len())
    });
    assert_eq!(
        sha256_hex(&released[at..at + READ]),
        digest,
        "the run's digest differs from the guest's"
    );
    eprintln!(
        "guest read {READ} bytes of /dev/hwrng = released bytes {at}..{} (of {}), {:.1} s from the daemon's start",
        at + READ,
        released.len(),
        took.as_secs_f64()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
