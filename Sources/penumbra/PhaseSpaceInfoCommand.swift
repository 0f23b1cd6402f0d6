import ArgumentParser
import Foundation
import PhaseSpace

/// `penumbra phase-space info`: the header and what one pass over the records finds, as JSON.
struct PhaseSpaceInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Check a phase space (every record) and print its summary as JSON.")

    @Argument(help: "The .IAEAheader, the .IAEAphsp or their base name.") var file: String
    @OptionGroup var logging: LoggingOptions

    struct Summary: Encodable {
        let header: String, data: String, recordLengthBytes: Int, byteOrder: String
        let particles: UInt64, originalHistories: UInt64, storedHistories: UInt64
        let particlesPerType: [String: UInt64], maximumEnergyMeV: Double
        let xRangeCM: [Double], yRangeCM: [Double], zRangeCM: [Double]
        let extraFloats: [String], extraLongs: [String]
    }

    func run() throws {
        logging.bootstrap()
        let phsp = try IAEAPhaseSpaceFile(URL(fileURLWithPath: file))
        let index = try IAEAHistoryIndex(scanning: phsp)
        let layout = phsp.header.layout
        let summary = Summary(
            header: phsp.headerURL.path, data: phsp.dataURL.path, recordLengthBytes: phsp.recordLength,
            byteOrder: "\(layout.byteOrder)", particles: phsp.particles,
            originalHistories: phsp.header.originalHistories,
            storedHistories: index.storedHistories,
            particlesPerType: Dictionary(uniqueKeysWithValues: index.counts.map { ("\($0.key)", $0.value) }),
            maximumEnergyMeV: index.maximumEnergyMeV,
            xRangeCM: [index.xRangeCM.lowerBound, index.xRangeCM.upperBound],
            yRangeCM: [index.yRangeCM.lowerBound, index.yRangeCM.upperBound],
            zRangeCM: [index.zRangeCM.lowerBound, index.zRangeCM.upperBound],
            extraFloats: layout.extraFloats.map { "\($0)" }, extraLongs: layout.extraLongs.map { "\($0)" })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    }
}
