//! Serial ports (USB-UART bridges, or a pseudo-terminal from the simulated board).

use super::Link;
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::Duration;

pub struct SerialLink {
    port: Box<dyn serialport::SerialPort>,
}

/// Short enough that health deadlines are checked often, long enough not to spin.
const READ_TIMEOUT: Duration = Duration::from_millis(50);

/// Device paths of the USB serial ports present now (FTDI and other USB-UART bridges): what
/// `--source any` opens. Built-in UARTs and Bluetooth ports are left out: boards hang off USB.
pub fn usb_ports() -> Result<Vec<std::path::PathBuf>, String> {
    let ports =
        serialport::available_ports().map_err(|e| format!("cannot list serial ports: {e}"))?;
    let mut paths: Vec<_> = ports
        .into_iter()
        .filter(|p| matches!(p.port_type, serialport::SerialPortType::UsbPort(_)))
        .map(|p| std::path::PathBuf::from(p.port_name))
        .collect();
    paths.sort();
    Ok(paths)
}

pub fn open(path: &Path, baud: u32) -> Result<SerialLink, String> {
    let name = path.to_string_lossy();
    if !path.exists() {
        return Err(format!("serial device {name} does not exist (is the board plugged in? try `ls /dev/ttyUSB* /dev/ttyACM*`)"));
    }
    serialport::new(name.as_ref(), baud)
        .data_bits(serialport::DataBits::Eight)
        .parity(serialport::Parity::None)
        .stop_bits(serialport::StopBits::One)
        .flow_control(serialport::FlowControl::None)
        .timeout(READ_TIMEOUT)
        .open()
        .map(|port| SerialLink { port })
        .map_err(|e| format!("cannot open serial device {name} at {baud} baud: {e}"))
}

impl Link for SerialLink {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.port.read(buf) {
            Ok(0) => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "serial device closed")),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(0),
            Err(e) => Err(e),
        }
    }

    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.write_all(bytes)?;
        self.port.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serialport::SerialPort;

    /// The board rates of docs/boards.md through the host's own open function, on a
    /// pseudo-terminal: Linux takes any rate there through termios2 (BOTHER), as on a USB-UART
    /// bridge's tty, and reads it back; bytes then flow both ways.
    #[test]
    fn opens_a_pty_at_every_board_rate_and_moves_bytes() {
        for baud in [12_000_000, 6_000_000, 3_000_000] {
            let (mut master, slave) = serialport::TTYPort::pair().expect("openpty");
            let path = slave.name().expect("the pty's slave path");
            let mut link = open(Path::new(&path), baud).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(link.port.baud_rate().unwrap(), baud, "{path}: rate read back");
            master.write_all(b"\xa5frame").unwrap();
            let mut got = vec![];
            let mut buf = [0u8; 16];
            for _ in 0..40 {
                let n = link.read(&mut buf).unwrap();
                got.extend_from_slice(&buf[..n]);
                if got.len() >= 6 {
                    break;
                }
            }
            assert_eq!(got, b"\xa5frame", "{path} at {baud} baud: board -> host");
            link.send(b"\x5acmd").unwrap();
            let mut back = [0u8; 4];
            master.set_timeout(Duration::from_secs(2)).unwrap();
            master.read_exact(&mut back).unwrap();
            assert_eq!(&back, b"\x5acmd", "{path} at {baud} baud: host -> board");
        }
    }

    #[test]
    fn a_missing_device_is_named() {
        let e = open(Path::new("/dev/speckle-no-such-tty"), 12_000_000).err().unwrap();
        assert!(e.contains("serial device /dev/speckle-no-such-tty does not exist"), "{e}");
    }
}
