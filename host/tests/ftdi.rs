//! The D2XX path against a stand-in `libftd2xx.so` built here from C: the daemon loads it at run
//! time exactly as it would load FTDI's library, opens the device by serial number, sets 8N1 and
//! the baud rate, and reads frames through `FT_Read`.

mod common;

use common::BoardDouble;
use std::process::Command;

const FAKE_D2XX: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int FT_OpenEx(void *arg, unsigned flags, void **h) {
    if (flags != 1 || strcmp((const char *)arg, "FAKE0001") != 0) return 2; /* FT_DEVICE_NOT_FOUND */
    FILE *f = fopen(getenv("FAKE_FTDI_CAPTURE"), "rb");
    if (!f) return 3;
    *h = f;
    return 0;
}
int FT_SetBaudRate(void *h, unsigned baud) { return baud == 2000000 ? 0 : 7; /* FT_INVALID_BAUD_RATE */ }
int FT_SetDataCharacteristics(void *h, unsigned char bits, unsigned char stop, unsigned char parity) {
    return (bits == 8 && stop == 0 && parity == 0) ? 0 : 6;
}
int FT_SetTimeouts(void *h, unsigned r, unsigned w) { return 0; }
int FT_Read(void *h, void *buf, unsigned n, unsigned *got) {
    *got = fread(buf, 1, n, (FILE *)h);
    if (*got == 0) usleep(10000); /* like a read timeout on a quiet line */
    return 0;
}
int FT_Write(void *h, const void *buf, unsigned n, unsigned *put) { *put = n; return 0; }
int FT_Close(void *h) { fclose((FILE *)h); return 0; }
"#;

#[test]
fn d2xx_source_through_a_stand_in_library() {
    let dir = common::tmpdir("ftdi");
    let c = dir.join("fake.c");
    std::fs::write(&c, FAKE_D2XX).unwrap();
    let lib = dir.join("libftd2xx.so");
    let built = Command::new("cc").args(["-shared", "-fPIC", "-o"]).arg(&lib).arg(&c).status();
    // cc is also Rust's linker here, so a missing one is a broken machine, not a reason to skip.
    assert!(built.is_ok_and(|s| s.success()), "cc could not build the stand-in libftd2xx.so");
    let mut b = BoardDouble::new();
    b.status(0).block(1).block(2).status(0).block(3);
    let cap = dir.join("cap.bin");
    std::fs::write(&cap, &b.bytes).unwrap();
    let run = |src: &str| {
        Command::new(env!("CARGO_BIN_EXE_speckle"))
            .args(["run", "--source", src, "--duration", "1.5", "--output", "stdout"])
            .env("LD_LIBRARY_PATH", &dir)
            .env("FAKE_FTDI_CAPTURE", &cap)
            .output()
            .unwrap()
    };
    let ok = run("ftdi:FAKE0001@2000000");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert_eq!(ok.stdout, [[1u8; 32], [2; 32]].concat());

    for (src, needle) in [
        ("ftdi:NOPE@2000000", "FT_OpenEx"),
        ("ftdi:FAKE0001@9600", "FT_SetBaudRate failed with FT_STATUS 7"),
    ] {
        let bad = run(src);
        let err = String::from_utf8_lossy(&bad.stderr);
        assert!(!bad.status.success());
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{src}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
