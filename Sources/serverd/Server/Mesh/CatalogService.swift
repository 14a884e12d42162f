import CaravanProto
import CaravanRPC
import GRPCCore
import State

/// Serves `caravan.v1.Catalog` (`ctl service ...`, meshd): the service instances the servers derive from running
/// allocations, as summaries, filtered instance lists, and a watch.
public struct CatalogService: Caravan_V1_Catalog.ServiceProtocol {
    let queries: ClusterQueries

    public init(queries: ClusterQueries) {
        self.queries = queries
    }

    public func listServices(
        request: ServerRequest<Caravan_V1_ListServicesRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_ListServicesResponse> {
        let (services, meta) = try await queries.read(request.message.query, tables: [.catalog]) { view in
            let mesh = view.cluster.mesh
            var services: [String: Caravan_V1_ServiceSummary] = [:]
            for name in mesh.serviceNames {
                services[name] = Self.summary(name, mesh.instances(of: name))
            }
            return services
        }
        return ServerResponse(
            message: .with {
                $0.services = services
                $0.meta = meta
            })
    }

    public func serviceInstances(
        request: ServerRequest<Caravan_V1_ListServiceInstancesRequest>, context: ServerContext
    ) async throws -> ServerResponse<Caravan_V1_ListServiceInstancesResponse> {
        let message = request.message
        guard !message.name.isEmpty else { throw CaravanError.invalidArgument("no service name given") }
        let (instances, meta) = try await queries.read(message.query, tables: [.catalog]) { view in
            view.cluster.mesh.instances(of: message.name).filter { instance in
                (!message.passingOnly || instance.health == .passing)
                    && Set(message.tags).isSubset(of: Set(instance.tags))
                    && (!message.connect || instance.hasConnect)
            }.map { message.connect ? Self.meshEndpoint($0) : $0 }
        }
        return ServerResponse(
            message: .with {
                $0.instances = instances
                $0.meta = meta
            })
    }

    public func watch(
        request: ServerRequest<Caravan_V1_WatchCatalogRequest>, context: ServerContext
    ) async throws -> StreamingServerResponse<Caravan_V1_CatalogEvent> {
        let message = request.message
        let names = Set(message.names)
        let watch = MeshStateWatch(queries: queries, families: [.catalog], since: message.query.minIndex)
        return StreamingServerResponse { writer in
            do {
                try await RPCCancellation.bound(to: context) {
                    try await watch.run { frame in
                        var event = Caravan_V1_CatalogEvent()
                        event.index = frame.index
                        event.snapshot = frame.snapshot
                        event.upserted = frame.instances.filter { names.isEmpty || names.contains($0.name) }
                        event.services = frame.keyIndexes.keys.compactMap { key in
                            guard let (family, name) = MeshStateKey.parse(key), family == "catalog",
                                names.isEmpty || names.contains(name)
                            else { return nil }
                            return name
                        }.sorted()
                        if event.snapshot || !event.services.isEmpty { try await writer.write(event) }
                    }
                }
            } catch is CancellationError {
                // The caller went away or this server is stopping.
            }
            return [:]
        }
    }

    static func summary(_ name: String, _ instances: [Caravan_V1_ServiceInstance]) -> Caravan_V1_ServiceSummary {
        var summary = Caravan_V1_ServiceSummary()
        summary.name = name
        summary.tags = Array(Set(instances.flatMap(\.tags))).sorted()
        summary.instances = UInt32(instances.count)
        summary.passing = UInt32(instances.filter { $0.health == .passing }.count)
        summary.connect = instances.contains { $0.hasConnect }
        return summary
    }

    /// The instance as mesh callers reach it: its sidecar's public port, or itself when native.
    static func meshEndpoint(_ instance: Caravan_V1_ServiceInstance) -> Caravan_V1_ServiceInstance {
        var endpoint = instance
        if !instance.connect.native, instance.connect.sidecarPort > 0 {
            endpoint.address = instance.connect.sidecarAddress
            endpoint.port = instance.connect.sidecarPort
        }
        return endpoint
    }
}
