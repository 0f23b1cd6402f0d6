import Foundation
import TestSupport
import Testing

@testable import DICOM

@Suite("Data dictionary")
struct DictionaryTests {
    /// Every keyword the sources pass to a data-set accessor exists in the dictionary (an unknown one
    /// would be a programming error that traps).
    @Test("every keyword used in Sources/ is in the dictionary")
    func keywordsKnown() throws {
        let sources = TestEnvironment.packageRoot.appendingPathComponent("Sources")
        let pattern = try NSRegularExpression(
            pattern:
                #"\b(?:set|string|strings|double|doubles|int|sequence|requiredString|requiredDoubles|requiredDouble|requiredInt|contains|element|named)\(\s*"([A-Za-z0-9]+)""#
        )
        var checked = 0
        for module in ["DICOM", "ExamplePatients", "penumbra"] {
            let folder = sources.appendingPathComponent(module)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            where name.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let keyword = String(text[Range(match.range(at: 1), in: text)!])
                    if keyword.first!.isUppercase {
                        checked += 1
                        #expect(DataDictionary.knownTag(keyword) != nil, "\(name): \(keyword)")
                    }
                }
            }
        }
        #expect(checked > 100)
    }

    @Test("tags print as (gggg,eeee) Keyword")
    func description() {
        #expect(Tag(0x300A, 0x00B0).description == "(300A,00B0) BeamSequence")
        #expect(Tag(0x0009, 0x0010).description == "(0009,0010)")
    }
}
