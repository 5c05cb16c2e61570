//! Slips for thermal receipt printers (ESC/POS), the PIN always as text, sent to a
//! network printer (raw TCP, port 9100) or a device file (`/dev/usb/lp0`). The
//! commands are encoded by the `escpos` crate; the sending is ours, so that a printer
//! that is off, refuses or hangs answers with a clear error within seconds.

use super::{layout_in, Layout, Roll, Slip, Style};
use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::utils::{JustifyMode, Protocol};
use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Why a slip did not print, in the cashier's words.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("'{0}' is not a printer address. Write host:port (192.168.1.50:9100) or a device path (/dev/usb/lp0).")]
    BadTarget(String),
    #[error("The printer at {0} cannot be reached ({1}). Check that it is on and connected, then print again.")]
    Unreachable(String, String),
    #[error("The printer at {0} did not take the slip within {1} seconds. Check paper and cover, then print again.")]
    TimedOut(String, u64),
    #[error("The printer at {0} refused the slip ({1}). Check it, then print again.")]
    Refused(String, String),
    #[error("The slip could not be encoded for the printer: {0}")]
    Encode(String),
}

/// Where slips go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterTarget {
    /// A network printer's raw port: `host:port`.
    Tcp { host: String, port: u16 },
    /// A device file (USB or parallel printer): an absolute path.
    Device(PathBuf),
}

impl PrinterTarget {
    /// `192.168.1.50:9100`, `tcp://printer.local:9100`, `printer.local` (port 9100) or
    /// `/dev/usb/lp0`.
    pub fn parse(text: &str) -> Result<PrinterTarget, PrintError> {
        let t = text.trim();
        let bad = || PrintError::BadTarget(t.to_string());
        if t.is_empty() || t.len() > 200 || t.chars().any(|c| c.is_control()) {
            return Err(bad());
        }
        if t.starts_with('/') {
            if t.split('/').any(|part| part == "..") {
                return Err(bad());
            }
            return Ok(PrinterTarget::Device(PathBuf::from(t)));
        }
        let rest = t.strip_prefix("tcp://").unwrap_or(t);
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(bad)?),
            None => (rest, 9100),
        };
        let host_ok = !host.is_empty() && host.len() <= 100 && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
        if !host_ok {
            return Err(bad());
        }
        Ok(PrinterTarget::Tcp { host: host.to_string(), port })
    }

    /// In words: `192.168.1.50:9100` or `/dev/usb/lp0`.
    pub fn describe(&self) -> String {
        match self {
            PrinterTarget::Tcp { host, port } => format!("{host}:{port}"),
            PrinterTarget::Device(p) => p.display().to_string(),
        }
    }
}

/// Collects the bytes the `escpos` crate encodes.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Driver for Capture {
    fn name(&self) -> String {
        "capture".into()
    }
    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(data);
        Ok(())
    }
    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }
    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

const DRAWER_KICK: [u8; 5] = [0x1B, b'p', 0, 25, 250];

/// Characters per line in font A: 48 on an 80 mm roll, 32 on 58 mm.
pub fn columns(roll: Roll) -> usize {
    match roll {
        Roll::Mm80 => 48,
        Roll::Mm58 => 32,
    }
}

/// How big text (the PIN) is set: double width and height on 80 mm (24 columns, a
/// 16-digit PIN in fours fits); double height only on 58 mm, so it stays on one line.
fn big_width(roll: Roll) -> u8 {
    match roll {
        Roll::Mm80 => 2,
        Roll::Mm58 => 1,
    }
}

/// Thermal printers' built-in code page holds ASCII for sure: anything else is
/// written plainly (`é` → `e` is not guessed: it becomes `?`).
fn ascii(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '?' }).collect()
}

/// The slip as ESC/POS bytes: the same lines as the PDF, the PIN in double size
/// text; a cash-drawer kick first when `open_drawer`; fed and cut at the end.
pub fn slip_escpos(slip: &Slip, roll: Roll, open_drawer: bool) -> Result<Vec<u8>, PrintError> {
    let l = layout_in(slip, Layout { width_mm: 0.0, margin_mm: 0.0, fixed_cols: Some((columns(roll), columns(roll) / usize::from(big_width(roll)))), lines: Vec::new() });
    let capture = Capture::default();
    let enc = |e: escpos::errors::PrinterError| PrintError::Encode(e.to_string());
    let mut p = Printer::new(capture.clone(), Protocol::default(), None);
    p.init().map_err(enc)?;
    if open_drawer {
        // ESC p m t1 t2: pin 2, 50 ms on, 500 ms off. (The crate's `cash_drawer` sends
        // ESC p m alone, and a printer would then take the next two bytes as times.)
        p.custom(&DRAWER_KICK).map_err(enc)?;
    }
    for (style, centred, text) in &l.lines {
        p.justify(if *centred { JustifyMode::CENTER } else { JustifyMode::LEFT }).map_err(enc)?;
        p.bold(matches!(style, Style::Bold | Style::Big)).map_err(enc)?;
        match style {
            Style::Big => p.size(big_width(roll), 2).map_err(enc)?,
            _ => p.reset_size().map_err(enc)?,
        };
        p.writeln(&ascii(text)).map_err(enc)?;
    }
    p.reset_size().map_err(enc)?.bold(false).map_err(enc)?.feeds(4).map_err(enc)?.print_cut().map_err(enc)?;
    let bytes = capture.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Ok(bytes)
}

/// Sends the bytes to the printer, giving up after `timeout` (connecting and writing
/// each). A device that hangs is left to its own thread; the caller is answered.
pub fn send(bytes: &[u8], target: &PrinterTarget, timeout: Duration) -> Result<(), PrintError> {
    let name = target.describe();
    match target {
        PrinterTarget::Tcp { host, port } => {
            let addrs: Vec<SocketAddr> = (host.as_str(), *port).to_socket_addrs().map_err(|e| PrintError::Unreachable(name.clone(), e.to_string()))?.collect();
            let addr = addrs.first().ok_or_else(|| PrintError::Unreachable(name.clone(), "no address".into()))?;
            let mut stream = TcpStream::connect_timeout(addr, timeout).map_err(|e| match e.kind() {
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => PrintError::TimedOut(name.clone(), timeout.as_secs().max(1)),
                _ => PrintError::Unreachable(name.clone(), e.to_string()),
            })?;
            stream.set_write_timeout(Some(timeout)).map_err(|e| PrintError::Refused(name.clone(), e.to_string()))?;
            stream.write_all(bytes).and_then(|_| stream.flush()).map_err(|e| match e.kind() {
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => PrintError::TimedOut(name.clone(), timeout.as_secs().max(1)),
                _ => PrintError::Refused(name.clone(), e.to_string()),
            })?;
            // Half-close and wait briefly for the printer to close its side: the bytes
            // were taken, not merely queued in our socket.
            let _ = stream.shutdown(std::net::Shutdown::Write);
            Ok(())
        }
        PrinterTarget::Device(path) => {
            let (tx, rx) = std::sync::mpsc::channel();
            let (path, data) = (path.clone(), bytes.to_vec());
            std::thread::spawn(move || {
                let r = std::fs::OpenOptions::new().append(true).open(&path).and_then(|mut f| f.write_all(&data).and_then(|_| f.flush()));
                let _ = tx.send(r);
            });
            match rx.recv_timeout(timeout) {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => Err(PrintError::Unreachable(name, "no such device".into())),
                Ok(Err(e)) => Err(PrintError::Refused(name, e.to_string())),
                Err(_) => Err(PrintError::TimedOut(name, timeout.as_secs().max(1))),
            }
        }
    }
}

/// Whether the printer answers at all (for `airtill doctor`): connects, sends nothing.
pub fn probe(target: &PrinterTarget, timeout: Duration) -> Result<(), PrintError> {
    let name = target.describe();
    match target {
        PrinterTarget::Tcp { host, port } => {
            let addrs: Vec<SocketAddr> = (host.as_str(), *port).to_socket_addrs().map_err(|e| PrintError::Unreachable(name.clone(), e.to_string()))?.collect();
            let addr = addrs.first().ok_or_else(|| PrintError::Unreachable(name.clone(), "no address".into()))?;
            TcpStream::connect_timeout(addr, timeout).map(|_| ()).map_err(|e| PrintError::Unreachable(name, e.to_string()))
        }
        PrinterTarget::Device(path) => std::fs::OpenOptions::new().append(true).open(path).map(|_| ()).map_err(|e| PrintError::Unreachable(name, e.to_string())),
    }
}

/// Reads ESC/POS bytes back into text lines (what a person would see on the paper),
/// and the commands met on the way: for tests and for support.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let mut out = Decoded::default();
    let mut line = Vec::new();
    let mut i = 0;
    let need = |i: usize, n: usize| {
        if i + n <= bytes.len() {
            Ok(())
        } else {
            Err(format!("a command is cut short at byte {i}"))
        }
    };
    while i < bytes.len() {
        match bytes[i] {
            0x0A => {
                out.lines.push(String::from_utf8_lossy(&line).trim().to_string());
                line.clear();
                i += 1;
            }
            0x1B => {
                need(i, 2)?;
                match bytes[i + 1] {
                    b'@' => i += 2,
                    b'a' | b'E' | b'd' | b'!' | b'-' | b't' | b'M' => {
                        need(i, 3)?;
                        if bytes[i + 1] == b'd' {
                            // Print and feed n lines: ends the line being set.
                            let n = bytes[i + 2] as usize;
                            if n > 0 {
                                out.lines.push(String::from_utf8_lossy(&line).trim().to_string());
                                line.clear();
                                out.lines.extend(std::iter::repeat_n(String::new(), n - 1));
                            }
                        }
                        i += 3;
                    }
                    b'p' => {
                        need(i, 5)?;
                        out.drawer_kicks += 1;
                        i += 5;
                    }
                    other => return Err(format!("unknown ESC {other:#04x} at byte {i}")),
                }
            }
            0x1D => {
                need(i, 3)?;
                match bytes[i + 1] {
                    b'!' => {
                        out.size_from_line.push((out.lines.len(), (bytes[i + 2] >> 4) + 1, (bytes[i + 2] & 0x0F) + 1));
                        i += 3;
                    }
                    b'V' => {
                        out.cuts += 1;
                        i += if matches!(bytes[i + 2], 65 | 66) { 4 } else { 3 };
                    }
                    other => return Err(format!("unknown GS {other:#04x} at byte {i}")),
                }
            }
            b if b < 0x20 => return Err(format!("unexpected control byte {b:#04x} at byte {i}")),
            b => {
                line.push(b);
                i += 1;
            }
        }
    }
    if !line.is_empty() {
        out.lines.push(String::from_utf8_lossy(&line).trim().to_string());
    }
    Ok(out)
}

#[derive(Debug, Default)]
pub struct Decoded {
    pub lines: Vec<String>,
    pub cuts: usize,
    pub drawer_kicks: usize,
    /// Character size set before a line: (line index, width factor, height factor).
    pub size_from_line: Vec<(usize, u8, u8)>,
}

impl Decoded {
    /// The (width, height) factors a line was printed at.
    pub fn size_of(&self, line: usize) -> (u8, u8) {
        self.size_from_line.iter().rev().find(|(at, ..)| *at <= line).map(|(_, w, h)| (*w, *h)).unwrap_or((1, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::sample;
    use std::io::Read;
    use std::time::Instant;

    /// A printer on loopback: takes one job and hands back its bytes.
    fn fake_printer() -> (PrinterTarget, std::thread::JoinHandle<Vec<u8>>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let job = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut bytes = Vec::new();
            s.read_to_end(&mut bytes).unwrap();
            bytes
        });
        (PrinterTarget::parse(&format!("127.0.0.1:{port}")).unwrap(), job)
    }

    #[test]
    fn the_bytes_a_printer_receives_read_back_as_every_field() {
        for roll in [Roll::Mm80, Roll::Mm58] {
            let mut slip = sample(true);
            slip.copy = true;
            let (target, job) = fake_printer();
            send(&slip_escpos(&slip, roll, true).unwrap(), &target, Duration::from_secs(3)).unwrap();
            let got = decode(&job.join().unwrap()).unwrap();
            let text = got.lines.join("\n");
            for want in [
                "TRAINING",
                "COPY",
                "Demo Spaza",
                "2026-11-23 10:15",
                "Till T1",
                "Thabo",
                "000007",
                "MTN Airtime R12",
                "R12.00",
                "083 123 4567",
                "1234 5678 9012 3456",
                "*141*1234567890123456#",
                "0012345678",
                "2027-11-23",
                "130078272",
            ] {
                assert!(text.contains(want), "{roll:?}: missing {want} in\n{text}");
            }
            assert_eq!(got.cuts, 1);
            assert_eq!(got.drawer_kicks, 1);
            // The PIN is text, set double size, and fits the roll at that size.
            let pin_line = got.lines.iter().position(|l| l == "1234 5678 9012 3456").expect("the PIN on a line of its own");
            assert_eq!(got.size_of(pin_line).1, 2, "the PIN is set double height");
            let cols = columns(roll);
            for (i, l) in got.lines.iter().enumerate() {
                let max = cols / usize::from(got.size_of(i).0);
                assert!(l.chars().count() <= max, "{roll:?} line {i} is wider than {max}: {l}");
            }
        }
        let plain = decode(&slip_escpos(&sample(false), Roll::Mm80, false).unwrap()).unwrap();
        assert_eq!(plain.drawer_kicks, 0, "no drawer kick unless asked");
        assert!(!plain.lines.join("\n").contains("TRAINING"));
    }

    #[test]
    fn printer_addresses_are_checked() {
        assert_eq!(PrinterTarget::parse("192.168.1.50:9100").unwrap(), PrinterTarget::Tcp { host: "192.168.1.50".into(), port: 9100 });
        assert_eq!(PrinterTarget::parse("tcp://till-printer.local").unwrap(), PrinterTarget::Tcp { host: "till-printer.local".into(), port: 9100 });
        assert_eq!(PrinterTarget::parse("/dev/usb/lp0").unwrap(), PrinterTarget::Device("/dev/usb/lp0".into()));
        for bad in ["", "printer:0", "printer:99999", "pr inter:9100", "/dev/../etc/passwd", "http://x/y", "a\nb"] {
            assert!(matches!(PrinterTarget::parse(bad), Err(PrintError::BadTarget(_))), "{bad:?}");
        }
    }

    #[test]
    fn a_printer_that_is_off_or_hangs_answers_within_seconds() {
        // Nobody listens on this port: refused at once, said plainly.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let off = PrinterTarget::parse(&format!("127.0.0.1:{port}")).unwrap();
        let e = send(b"x", &off, Duration::from_secs(2)).unwrap_err();
        assert!(matches!(e, PrintError::Unreachable(..)) && e.to_string().contains("cannot be reached"), "{e}");
        assert!(probe(&off, Duration::from_secs(2)).is_err());
        // A device nobody reads (a FIFO without a reader blocks its writer forever).
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("lp0");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let started = Instant::now();
        let e = send(b"x", &PrinterTarget::Device(fifo.clone()), Duration::from_millis(800)).unwrap_err();
        assert!(matches!(e, PrintError::TimedOut(..)), "{e}");
        assert!(started.elapsed() < Duration::from_secs(3));
        // Unblock the writer thread before the folder goes.
        let _ = std::fs::File::open(&fifo);
        let e = send(b"x", &PrinterTarget::Device(d.path().join("missing")), Duration::from_secs(1)).unwrap_err();
        assert!(matches!(e, PrintError::Unreachable(..)), "{e}");
    }
}
