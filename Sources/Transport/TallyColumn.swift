/// One of a tally's per-voxel sums (S1 or S2) as a read-only collection, indexed by voxel: a view of the
/// tally's records, not a copy (the records hold S1, S2 and the fold's scratch side by side, `VoxelSums`).
///
/// It keeps the records alive; a tally written while a view of it exists copies its records first (copy
/// on write), so a view always shows the sums as they were when it was taken. Compares equal to an array
/// of the same values, so code and tests written for `[UInt64]` / `[UInt128]` columns read as before;
/// `Array(column)` makes a copy where an array is needed (the cluster's wire).
public struct TallyColumn<Element: BitwiseCopyable & Equatable & Sendable>: RandomAccessCollection, Sendable {
    let storage: VoxelSumsStorage
    /// The byte offset of the column's field in a `VoxelSums` record.
    let fieldOffset: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }

    /// The value of voxel `v`.
    public subscript(v: Int) -> Element {
        precondition(v >= 0 && v < storage.count, "voxel index \(v) out of range 0..<\(storage.count)")
        return UnsafeRawPointer(storage.base + v).load(fromByteOffset: fieldOffset, as: Element.self)
    }
}

extension TallyColumn: Equatable {
    public static func == (lhs: TallyColumn, rhs: TallyColumn) -> Bool { lhs.elementsEqual(rhs) }

    /// Whether the column holds exactly `rhs`'s values.
    public static func == (lhs: TallyColumn, rhs: [Element]) -> Bool { lhs.elementsEqual(rhs) }

    /// Whether the column holds exactly `lhs`'s values.
    public static func == (lhs: [Element], rhs: TallyColumn) -> Bool { lhs.elementsEqual(rhs) }
}
