import Cluster
import Foundation
import TestSupport
import Testing
import ZeroMQ

/// The coordinator's Prometheus endpoint scraped over real HTTP by the official Python client's parser,
/// during and after a job in which a worker is SIGKILLed.
@Suite("Coordinator metrics over HTTP")
struct MetricsTests {
    /// Scrapes `url` and returns every sample as "name{labels}" → value (histograms by their _count, _sum
    /// and _bucket samples), parsed by prometheus_client's text parser.
    static func scrape(_ url: String) throws -> [String: Double] {
        let run = try runPython(
            """
            import sys, urllib.request
            from prometheus_client.parser import text_string_to_metric_families
            with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
                assert r.status == 200, r.status
                assert r.headers["Content-Type"].startswith("text/plain"), r.headers["Content-Type"]
                text = r.read().decode()
            for family in text_string_to_metric_families(text):
                for s in family.samples:
                    labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
                    print(f"{s.name}{{{labels}}} {s.value}")
            try:
                urllib.request.urlopen(sys.argv[1].replace("/metrics", "/other"), timeout=5)
                print("other-path served")
            except urllib.error.HTTPError as e:
                print(f"other-path {e.code}")
            """, arguments: [url])
        try #require(run.status == 0, "scrape failed: \(run.standardError)")
        var samples: [String: Double] = [:]
        for line in run.standardOutput.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { samples[String(parts[0])] = value }
        }
        return samples
    }

    @Test("units done, re-assigned, workers alive, histories and merge time, scraped during and after a job")
    func scrapeDuringAndAfterJob() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-metrics")
        defer { try? FileManager.default.removeItem(at: directory) }
        let coordinator = try ChildProcess(
            [
                "coordinator", "--bind", "tcp://127.0.0.1:*", "--state", directory.appendingPathComponent("state").path,
                "--metrics", "127.0.0.1:0", "--heartbeat-ms", "200",
            ], logsIn: directory, name: "coordinator")
        defer { coordinator.kill(SIGTERM) }
        let endpoint = try coordinator.firstLine()
        let lines = try coordinator.lines(2)
        let url = lines[1]
        try #require(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/metrics"))
        func worker(_ n: Int) throws -> ChildProcess {
            try ChildProcess(
                ["worker", "--connect", endpoint, "--heartbeat-ms", "200"], logsIn: directory, name: "worker-\(n)")
        }
        var workers = [try worker(0)]
        defer { for worker in workers { worker.kill(SIGTERM) } }
        let spec = JobSpec(
            workload: SyntheticWorkload.name, layout: try SlabLayout(countX: 8, countY: 8, countZ: 8, planesPerSlab: 2),
            seed: 3, historyCount: 12_000, historiesPerUnit: 500,
            parameters: SyntheticWorkload.parameters(unitDelayMS: 150))
        let client = try ClusterClient(context: try Context(), endpoint: endpoint, timeout: .seconds(10))
        let job = try client.submit(spec)
        // The first assignment is one unit; once its pace is known the worker gets a long span (all 23 left).
        _ = try ClusterProcessTests.waitFor(client, job: job) { $0.unitsDone >= 1 }
        let during = try Self.scrape(url)
        #expect(during["penumbra_workers_alive{}"] == 1)
        #expect(during["penumbra_jobs_running{}"] == 1)
        #expect(during["penumbra_units_done_total{}"] == 1)
        // The only worker is busy with a unit: killed, its unit must be re-assigned to the next one.
        workers[0].kill(SIGKILL)
        workers.append(try worker(1))
        let final = try ClusterProcessTests.waitFor(client, job: job) { $0.state.isFinal }
        #expect(final.state == .completed)
        // The dead worker is forgotten after 3 silent heartbeats (600 ms); the gauge follows on the next tick.
        Thread.sleep(forTimeInterval: 0.3)
        let after = try Self.scrape(url)
        #expect(after["penumbra_units_done_total{}"] == Double(spec.unitCount))
        #expect(after["penumbra_histories_merged_total{}"] == Double(spec.historyCount))
        #expect(after["penumbra_units_reassigned_total{}"] == 1, "the killed worker held a unit")
        #expect(after["penumbra_workers_alive{}"] == 1)
        #expect(after["penumbra_jobs_running{}"] == 0)
        #expect(after["penumbra_jobs_finished_total{}"] == 1)
        // One merge and one commit timed per result.
        let results = after["penumbra_merge_seconds_count{}"] ?? 0
        #expect(results >= 1 && results <= Double(spec.unitCount) + 2)
        #expect(after["penumbra_commit_seconds_count{}"] ?? 0 >= results)
        #expect(after.keys.contains("penumbra_histories_per_second{}"))
        #expect(after["other-path"] == 404)
    }
}
