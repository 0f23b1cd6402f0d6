import Testing
@testable import Beam

/// The documented output-factor tables (`CommissioningTarget`) as the head-scatter fit and the validation test use them:
/// a typing error in a table (a field out of order, a factor that falls with the field, a missing 10×10) would make the
/// fit chase it and `BeamValidationTests` fail for the wrong reason.
@Suite struct CommissioningTargetTests {
    @Test(arguments: CommissioningTarget.all.filter { !$0.outputFactors.isEmpty })
    func outputFactorTablesAreNormalisedAndRiseWithTheField(_ target: CommissioningTarget) {
        let fields = target.outputFactors.map(\.fieldCM)
        #expect(fields == fields.sorted() && Set(fields).count == fields.count, "\(target.machine): \(fields)")
        #expect(target.outputFactors.first { $0.fieldCM == 10 }?.value == 1, "\(target.machine): no 10×10 at 1")
        let values = target.outputFactors.map(\.value)
        #expect(zip(values.dropFirst(), values).allSatisfy { $0 > $1 }, "\(target.machine): \(values)")
        // `HeadScatterFit` needs two fields besides the reference; issue 8's range is 2×2 to 40×40.
        #expect(fields.filter { $0 != 10 }.count >= 2 && fields.allSatisfy { (2...40).contains($0) })
    }
}
