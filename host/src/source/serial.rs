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
