/// Names of the storage SOP classes a planning folder commonly holds (PS3.4 Annex B, PS3.6 Annex A), so a
/// refusal can say what a folder holds instead of listing UIDs.
public enum SOPClassNames {
    private static let names: [String: String] = [
        "1.2.840.10008.5.1.4.1.1.2": "CT Image",
        "1.2.840.10008.5.1.4.1.1.2.1": "Enhanced CT Image (multi-frame)",
        "1.2.840.10008.5.1.4.1.1.4": "MR Image",
        "1.2.840.10008.5.1.4.1.1.4.1": "Enhanced MR Image",
        "1.2.840.10008.5.1.4.1.1.128": "PET Image",
        "1.2.840.10008.5.1.4.1.1.481.1": "RT Image",
        "1.2.840.10008.5.1.4.1.1.481.2": "RT Dose",
        "1.2.840.10008.5.1.4.1.1.481.3": "RT Structure Set",
        "1.2.840.10008.5.1.4.1.1.481.5": "RT Plan",
        "1.2.840.10008.5.1.4.1.1.481.8": "RT Ion Plan",
        "1.2.840.10008.5.1.4.1.1.66": "Raw Data",
        "1.2.840.10008.5.1.4.1.1.66.1": "Spatial Registration",
        "1.2.840.10008.5.1.4.1.1.66.3": "Deformable Spatial Registration",
        "1.2.840.10008.1.3.10": "DICOMDIR",
    ]

    /// The SOP class's name, or its UID (or "no SOP class") when it is not one of these.
    public static func name(_ uid: String) -> String {
        names[uid] ?? (uid.isEmpty ? "no SOP class" : "SOP class \(uid)")
    }

    /// The name and UID ("RT Ion Plan (1.2.840…481.8)") when the class is one of these, else `name(_:)`.
    public static func described(_ uid: String) -> String {
        names[uid].map { "\($0) (\(uid))" } ?? name(uid)
    }

    /// "3 MR Image, 1 RT Plan": how many objects of each class, most first.
    public static func summary(_ uids: [String]) -> String {
        let counts = Dictionary(uids.map { (name($0), 1) }, uniquingKeysWith: +)
        return counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) \($0.key)" }
            .joined(separator: ", ")
    }
}
