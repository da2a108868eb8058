//! Colours for the console, off when the output is not a terminal or `NO_COLOR` is set.

use anstyle::{AnsiColor, Style};

#[derive(Clone, Copy, Debug)]
pub(crate) struct Palette {
    pub pass: Style,
    pub fail: Style,
    pub error: Style,
    pub dim: Style,
    pub bold: Style,
}

impl Palette {
    pub fn new(color: bool) -> Self {
        if !color {
            let plain = Style::new();
            return Palette {
                pass: plain,
                fail: plain,
                error: plain,
                dim: plain,
                bold: plain,
            };
        }
        Palette {
            pass: AnsiColor::Green.on_default().bold(),
            fail: AnsiColor::Red.on_default().bold(),
            error: AnsiColor::Magenta.on_default().bold(),
            dim: Style::new().dimmed(),
            bold: Style::new().bold(),
        }
    }
}
