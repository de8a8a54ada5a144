//! Visible signature appearances: the description (`Appearance`) that the signing engine lays out, and
//! its rendering into a PDF form XObject with embedded font subsets and images.
//!
//! SKELETON: the rendering is being written; the types below are the agreed interface.

/// A colour in DeviceRGB, each channel in 0.0..=1.0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

/// The embedded typefaces (Liberation Serif, metric-compatible with Times New Roman, which Decree 30
/// names; it covers Vietnamese).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FontFace {
    /// Liberation Serif Regular.
    Serif,
    /// Liberation Serif Bold.
    SerifBold,
}

/// One element of an appearance, in the appearance's own coordinates (points, origin bottom-left).
#[derive(Clone, Debug, PartialEq)]
pub enum AppearanceItem {
    /// A line of text; `text` is any Unicode (NFC) string.
    Text {
        /// Left of the baseline.
        x: f32,
        /// The baseline.
        y: f32,
        /// Font size in points.
        size: f32,
        /// The typeface.
        font: FontFace,
        /// Fill colour.
        color: Rgb,
        /// The text.
        text: String,
    },
    /// A PNG image (transparency kept), scaled into the box.
    Image {
        /// The PNG file's bytes.
        png: Vec<u8>,
        /// Left.
        x: f32,
        /// Bottom.
        y: f32,
        /// Width.
        width: f32,
        /// Height.
        height: f32,
    },
}

/// What a signature widget shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Appearance {
    /// Width of the box in points.
    pub width: f32,
    /// Height of the box in points.
    pub height: f32,
    /// Drawn in order (later items over earlier ones: the seal over the signature image).
    pub items: Vec<AppearanceItem>,
}
