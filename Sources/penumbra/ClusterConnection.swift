import Cluster
import ZeroMQ

/// Where a command sends its jobs: a running coordinator (`--coordinator URL`), or a cluster of local
/// workers embedded in this process for the command's lifetime (the same protocol over `inproc://`), so
/// the single-machine path and the cluster path are the same code (DESIGN.md).
struct ClusterConnection {
    let context: Context
    let endpoint: String
    let security: CurveSettings
    /// The embedded cluster, when no coordinator was named.
    let embedded: EmbeddedCluster?

    /// Connects to `coordinator` when given, else starts the embedded cluster `startEmbedded` makes.
    init(coordinator: String?, curve: CurveClientOptions, startEmbedded: () throws -> EmbeddedCluster) throws {
        if let coordinator {
            context = try Context()
            endpoint = coordinator
            security = try curve.settings(for: coordinator)
            embedded = nil
        } else {
            let cluster = try startEmbedded()
            (context, endpoint, security, embedded) = (cluster.context, cluster.endpoint, .none, cluster)
        }
    }

    /// Stops the embedded workers and coordinator, if any.
    func shutdown() { embedded?.shutdown() }
}
