//! Package pin-outs of the iCE40 and ECP5 parts (from icestorm's and prjtrellis' databases, written
//! into data/ by the scripts there), so a board file's pins are checked against the package and an
//! LVDS pair against the silicon's rules before nextpnr runs. Without this a pin on the wrong side of
//! a pair, or in a bank without differential receivers, is found at place-and-route ("Bel ... can't
//! be used for LVDS", "Pseudo-differential IO must be output") with no file or field named.

use crate::Family;

const ICE40: &str = include_str!("../data/ice40_pins.txt");
const ECP5: &str = include_str!("../data/ecp5_pins.txt");

/// One bonded pad: its package pin and where it sits on the die.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pad {
    pin: String,
    /// iCE40: IO tile x, y and the pad within the tile (a pair's two pads share a tile).
    /// ECP5: row, column, PIO letter as 0..3 (A..D).
    x: u32,
    y: u32,
    z: u32,
    /// ECP5 bank from trellis; iCE40 bank from the tile's edge.
    bank: u32,
}

/// The pads of `package` on `device`, or None when the database does not have the combination.
fn package_pads(family: Family, device: &str, package: &str) -> Option<Vec<Pad>> {
    let package = package.to_ascii_lowercase();
    let mut pads = vec![];
    match family {
        Family::Ice40 => {
            let key = match device {
                "lp1k" | "hx1k" => format!("1k-{package}"),
                "lp8k" | "hx8k" => format!("8k-{package}"),
                "hx4k" => format!("8k-{package}:4k"),
                "up5k" | "up3k" => format!("5k-{package}"),
                "u4k" => format!("u4k-{package}"),
                _ => return None,
            };
            let chip = key.split('-').next().unwrap_or_default();
            let rows: Vec<Vec<&str>> = ICE40
                .lines()
                .filter(|l| !l.starts_with('#'))
                .map(|l| l.split(' ').collect())
                .collect();
            // The die's right and top edges: the largest tile coordinates of any package of the chip.
            let num = |s: &str| s.parse::<u32>().unwrap_or(0);
            let same_chip = rows.iter().filter(|r| r[0].split('-').next() == Some(chip));
            let (xmax, ymax) =
                same_chip.fold((0, 0), |(a, b), r| (a.max(num(r[2])), b.max(num(r[3]))));
            for r in rows.iter().filter(|r| r[0] == key) {
                let (x, y, z) = (num(r[2]), num(r[3]), num(r[4]));
                // iCE40 banks: 0 top, 1 right, 2 bottom, 3 left (icestorm's io_tile notes).
                let bank = if x == 0 {
                    3
                } else if y == 0 {
                    2
                } else if x == xmax {
                    1
                } else if y == ymax {
                    0
                } else {
                    u32::MAX
                };
                pads.push(Pad { pin: r[1].to_string(), x, y, z, bank });
            }
        }
        Family::Ecp5 => {
            let die = match device.rsplit('-').next().unwrap_or_default() {
                "12k" | "25k" => "25k",
                "45k" => "45k",
                "85k" => "85k",
                _ => return None,
            };
            for l in ECP5.lines().filter(|l| !l.starts_with('#')) {
                let r: Vec<&str> = l.split(' ').collect();
                if r[0] == die && r[1].eq_ignore_ascii_case(&package) {
                    let num = |s: &str| s.parse::<u32>().unwrap_or(0);
                    let pio = u32::from(r[6].as_bytes()[0] - b'A');
                    pads.push(Pad {
                        pin: r[2].to_string(),
                        x: num(r[4]),
                        y: num(r[5]),
                        z: pio,
                        bank: num(r[3]),
                    });
                }
            }
        }
    }
    (!pads.is_empty()).then_some(pads)
}

/// Where the package pin-outs come from, for messages.
fn source(family: Family) -> &'static str {
    match family {
        Family::Ice40 => "icestorm's pin database",
        Family::Ecp5 => "prjtrellis' pin database",
    }
}

/// The package's pins, for checking every pin of a board file; None when the package is unknown.
pub struct Package {
    family: Family,
    name: String,
    pads: Vec<Pad>,
}

impl Package {
    pub fn find(family: Family, device: &str, package: &str) -> Option<Package> {
        package_pads(family, device, package).map(|pads| Package {
            family,
            name: format!("{device} {package}"),
            pads,
        })
    }

    fn pad(&self, pin: &str) -> Option<&Pad> {
        self.pads.iter().find(|p| p.pin.eq_ignore_ascii_case(pin))
    }

    /// Ok when `pin` is a bonded pin of the package.
    pub fn check(&self, pin: &str) -> Result<(), String> {
        match self.pad(pin) {
            Some(_) => Ok(()),
            None => Err(format!(
                "`{pin}` is not a pin of the {} package ({})",
                self.name,
                source(self.family)
            )),
        }
    }

    /// The complement (N) pin of the true LVDS input on `p`, or why `p` cannot be one.
    pub fn lvds_partner(&self, device: &str, p: &str) -> Result<String, String> {
        let pad = self.pad(p).ok_or_else(|| {
            format!("`{p}` is not a pin of the {} package ({})", self.name, source(self.family))
        })?;
        let mate = |z: u32| self.pads.iter().find(|q| q.x == pad.x && q.y == pad.y && q.z == z);
        match self.family {
            Family::Ice40 => {
                if device == "u4k" {
                    return Err(
                        "`lvds` on the iCE40 Ultra (u4k) is not verified here: use `single`".into(),
                    );
                }
                // LP/HX: LVDS receivers only in bank 3 (TN1253). UltraPlus: differential inputs on
                // the DPxx pairs of every bank (DS-02008 §3.1.9; nextpnr's LVDS support was tested on it).
                let ultraplus = device.starts_with("up");
                if !ultraplus && pad.bank != 3 {
                    return Err(format!("`{p}` is in bank {}: {device} has LVDS inputs only in bank 3 (the left edge; Lattice TN1253)", pad.bank));
                }
                // nextpnr places an SB_LVDS_INPUT only on IO 0 of a tile and keeps IO 1 free for the
                // complement; on LP/HX parts IO 0 is the pair's DPxxB pad, the true (+) input
                // (Lattice answer 3862).
                if pad.z != 0 {
                    return Err(match mate(0) {
                        Some(t) => format!("`{p}` is the complement (RD−) pad of its pair (IO 1 of its tile; the receiver sits on IO 0): put RD+ on `{}` and RD− on `{p}`", t.pin),
                        None => format!("`{p}` has no differential partner bonded in {}", self.name),
                    });
                }
                mate(1).map(|n| n.pin.clone()).ok_or_else(|| {
                    format!(
                        "`{p}`'s complement pad is not bonded in {}: not a differential pair",
                        self.name
                    )
                })
            }
            Family::Ecp5 => {
                if ![2, 3, 6, 7].contains(&pad.bank) {
                    return Err(format!(
                        "`{p}` is in bank {}: true LVDS inputs are only in the left/right banks 2, 3, 6, 7 (nextpnr-ecp5: \"Pseudo-differential IO must be output\")",
                        pad.bank
                    ));
                }
                // Pairs are PIO A/B and C/D of one PIC; A and C are the true sides (Lattice TN1262).
                if pad.z % 2 == 1 {
                    return Err(match mate(pad.z - 1) {
                        Some(t) => format!("`{p}` is the complement (RD−) side of its pair: put RD+ on `{}` and RD− on `{p}`", t.pin),
                        None => format!("`{p}` has no true partner bonded in {}", self.name),
                    });
                }
                mate(pad.z + 1).map(|n| n.pin.clone()).ok_or_else(|| {
                    format!(
                        "`{p}`'s complement pad is not bonded in {}: not a differential pair",
                        self.name
                    )
                })
            }
        }
    }
}
