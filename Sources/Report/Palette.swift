/// Colours for plot series that colour-blind readers can tell apart: the Okabe–Ito palette
/// (Okabe & Ito, "Color Universal Design", 2008; recommended by Wong, Nat Methods 8:441, 2011,
/// doi 10.1038/nmeth.1618). Black comes last so it is used for the ninth series, and series beyond
/// eight also change dash pattern so that colour is never the only cue.
public enum Palette {
    /// Orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple, black.
    public static let okabeIto = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]

    /// SVG dash patterns (empty: solid), cycled once every colour has been used.
    public static let dashes = ["", "6 3", "2 2", "8 3 2 3"]

    /// Isodose line colours, lowest level first: Okabe–Ito without yellow and blue, which vanish on the
    /// dose wash's yellow top and blue bottom.
    public static let isodose = ["#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#000000"]

    /// The colour of series `n`.
    public static func colour(_ n: Int) -> String { okabeIto[n % okabeIto.count] }

    /// The dash pattern of series `n`.
    public static func dash(_ n: Int) -> String { dashes[(n / okabeIto.count) % dashes.count] }
}
