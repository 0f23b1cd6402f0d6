import Foundation

extension IAEAPhaseSpaceFile {
    /// Writes the particles that `keep` accepts to a new phase space with this file's layout, descriptive
    /// sections and `$ORIG_HISTORIES` (the particles still come from the same original histories, so doses
    /// stay per original history of the uncut file). The first kept particle of each history carries the
    /// new-history flag; a history none of whose particles is kept disappears from the stored histories.
    /// - Parameters:
    ///   - url: the new phase space (base name or either file name); not this file.
    ///   - keep: decides per particle (decoded with its extras).
    /// - Returns: the header written.
    /// - Throws: `PhaseSpaceError` if `url` names this file, a record is unreadable, or no particle is kept.
    @discardableResult
    public func cut(to url: URL, keeping keep: (IAEAParticle) -> Bool) throws(PhaseSpaceError) -> IAEAHeader {
        let target = Self.files(of: url)
        guard target.data.standardizedFileURL != dataURL.standardizedFileURL else {
            throw .badParticle("the cut of \(dataURL.lastPathComponent) cannot overwrite it: give another output name")
        }
        let writer = try IAEAPhaseSpaceWriter(url, layout: header.layout, sections: header.otherSections)
        let layout = header.layout, length = recordLength
        var flagPending = false
        var kept: UInt64 = 0
        try forEachChunk { (first, bytes) throws(PhaseSpaceError) in
            for i in 0..<bytes.count / length {
                guard var p = layout.decode(bytes, at: i * length) else {
                    throw badType(record: first + UInt64(i), byte: bytes[i * length])
                }
                if p.isNewHistory || first + UInt64(i) == 0 { flagPending = true }
                // A zero-energy particle carries no energy and cannot carry the flag (the energy's sign).
                guard p.energyMeV > 0, keep(p) else { continue }
                p.isNewHistory = flagPending
                flagPending = false
                try writer.append(p)
                kept += 1
            }
        }
        guard kept > 0 else {
            throw .badParticle("no particle of \(dataURL.lastPathComponent) passes the cut; nothing was written")
        }
        return try writer.finish(originalHistories: header.originalHistories)
    }
}
