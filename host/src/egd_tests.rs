use super::*;
use std::os::unix::net::UnixStream;

fn socket(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("speckle-egd-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d.join("egd.sock")
}

fn connect(p: &PathBuf) -> UnixStream {
    let c = UnixStream::connect(p).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c
}

/// Every request QEMU or another EGD client sends, against bytes the sink put in: the count of
/// bits, a non-blocking read that gets what there is, a blocking read that waits for bytes put in
/// later and gets them in order, a write of entropy ignored, the pid, and an unknown request
/// closing the connection.
#[test]
fn every_egd_request_is_answered_from_the_pool_in_order() {
    let path = socket("requests");
    let server = EgdServer::bind(&EgdAddr::Unix(path.clone())).unwrap();
    let never = AtomicBool::new(false);
    let stream: Vec<u8> = (0..=255u8).collect();
    assert_eq!(server.write_until(&stream[..10], &never), 10);
    let mut c = connect(&path);
    c.write_all(&[0x00]).unwrap();
    let mut bits = [0u8; 4];
    c.read_exact(&mut bits).unwrap();
    assert_eq!(u32::from_be_bytes(bits), 80);
    c.write_all(&[0x01, 4]).unwrap();
    let mut got = [0u8; 5];
    c.read_exact(&mut got).unwrap();
    assert_eq!(got, [4, 0, 1, 2, 3]);
    c.write_all(&[0x01, 200]).unwrap();
    let mut got = [0u8; 7];
    c.read_exact(&mut got).unwrap();
    assert_eq!(got, [6, 4, 5, 6, 7, 8, 9], "only what there is");
    // Blocking: asked before the bytes exist, answered once they do.
    c.write_all(&[0x02, 100]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.write_until(&stream[10..60], &never), 50);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(server.served(), 10, "50 bytes are not 100: nothing taken yet");
    assert_eq!(server.write_until(&stream[60..], &never), 196);
    let mut got = [0u8; 100];
    c.read_exact(&mut got).unwrap();
    assert_eq!(&got[..], &stream[10..110]);
    c.write_all(&[0x03, 0, 8, 1, 0xAA, 0x04]).unwrap();
    let mut len = [0u8; 1];
    c.read_exact(&mut len).unwrap();
    let mut pid = vec![0u8; len[0] as usize];
    c.read_exact(&mut pid).unwrap();
    assert_eq!(String::from_utf8(pid).unwrap(), std::process::id().to_string());
    assert_eq!(server.served(), 110, "the written byte 0xAA was not added");
    c.write_all(&[0x7f]).unwrap();
    assert_eq!(c.read(&mut len).unwrap(), 0, "an unknown request closes the connection");
    drop(server);
    assert!(!path.exists(), "the socket is removed at the end");
}

/// Four clients reading at once get disjoint pieces that together are the stream: no byte twice,
/// none invented; a full pool makes the sink wait, and an abandoned wait returns what went in.
#[test]
fn four_clients_share_the_stream_and_no_byte_is_served_twice() {
    let path = socket("share");
    let server = EgdServer::bind(&EgdAddr::Unix(path.clone())).unwrap();
    let stream: Vec<u8> = (0..POOL_BYTES as u32 * 2).map(|i| (i * 7 + i / 251) as u8).collect();
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let mut c = connect(&path);
            std::thread::spawn(move || {
                let mut pieces = Vec::new();
                for _ in 0..128 {
                    c.write_all(&[0x02, 255]).unwrap();
                    let mut got = vec![0u8; 255];
                    c.read_exact(&mut got).unwrap();
                    pieces.push(got);
                }
                pieces
            })
        })
        .collect();
    let never = AtomicBool::new(false);
    for chunk in stream.chunks(4096) {
        assert_eq!(server.write_until(chunk, &never), chunk.len());
    }
    let mut pieces: Vec<Vec<u8>> = clients.into_iter().flat_map(|c| c.join().unwrap()).collect();
    // Each piece is a contiguous run of the stream at a distinct 255-byte step.
    let mut starts: Vec<usize> = pieces
        .iter()
        .map(|p| (0..stream.len()).step_by(255).find(|&i| stream[i..].starts_with(p)).unwrap())
        .collect();
    starts.sort();
    assert_eq!(starts, (0..512).map(|k| k * 255).collect::<Vec<_>>(), "every piece once");
    pieces.clear();
    // What is left fills the pool; a write that cannot fit is abandoned with what went in.
    let left = stream.len() - 512 * 255;
    assert_eq!(server.write_until(&[0u8; 8], &AtomicBool::new(true)), 0, "abandoned at once");
    let abandon = Arc::new(AtomicBool::new(false));
    let a = abandon.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        a.store(true, Ordering::Relaxed);
    });
    assert_eq!(server.write_until(&vec![0u8; POOL_BYTES], &abandon), POOL_BYTES - left);
    t.join().unwrap();
}
