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
