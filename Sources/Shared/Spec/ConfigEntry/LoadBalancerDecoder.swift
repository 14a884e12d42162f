import CaravanProto
import HCL

/// Reads a resolver's `LoadBalancer` block and checks that its settings fit the chosen policy.
enum LoadBalancerDecoder {

    static let policies: [(String, Caravan_V1_LoadBalancer.Policy)] = [
        ("random", .random), ("round_robin", .roundRobin), ("least_request", .leastRequest),
        ("ring_hash", .ringHash), ("maglev", .maglev),
    ]
    static let fields: [(String, Caravan_V1_HashPolicy.Field)] = [
        ("header", .header), ("cookie", .cookie), ("query_parameter", .queryParameter),
    ]

    static func decode(_ reader: BodyReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_LoadBalancer {
        problems.checkKeys(reader, ["Policy", "RingHashConfig", "LeastRequestConfig", "HashPolicies"])
        var balancer = Caravan_V1_LoadBalancer()
        let policyName = problems.choice(reader, "Policy", policies.map(\.0)) ?? ""
        balancer.policy = policies.first { $0.0 == policyName }?.1 ?? .unspecified
        if let block = problems.block(reader, "RingHashConfig") {
            requirePolicy("RingHashConfig", ["ring_hash"], policyName, reader, &problems)
            let body = block.body
            problems.checkKeys(body, ["MinimumRingSize", "MaximumRingSize"])
            var config = Caravan_V1_RingHashConfig()
            let minimum = problems.int(body, "MinimumRingSize", in: 0...Int.max)
            let maximum = problems.int(body, "MaximumRingSize", in: 0...Int.max)
            if let minimum, let maximum, minimum > maximum {
                problems.add(
                    "MinimumRingSize (\(minimum)) must not be greater than MaximumRingSize (\(maximum))",
                    at: SpecDecoding.valueRange(body, "MinimumRingSize"))
            }
            config.minimumRingSize = UInt64(minimum ?? 0)
            config.maximumRingSize = UInt64(maximum ?? 0)
            balancer.ringHashConfig = config
        }
        if let block = problems.block(reader, "LeastRequestConfig") {
            requirePolicy("LeastRequestConfig", ["least_request"], policyName, reader, &problems)
            problems.checkKeys(block.body, ["ChoiceCount"])
            var config = Caravan_V1_LeastRequestConfig()
            if let count = problems.int(block.body, "ChoiceCount", in: 1...Int(UInt32.max)) {
                config.choiceCount = UInt32(count)
            }
            balancer.leastRequestConfig = config
        }
        let hashPolicies = problems.blocks(reader, "HashPolicies")
        if !hashPolicies.isEmpty {
            requirePolicy("HashPolicies", ["ring_hash", "maglev"], policyName, reader, &problems)
        }
        balancer.hashPolicies = hashPolicies.map { hashPolicy($0, &problems) }
        return balancer
    }

    static func requirePolicy(
        _ key: String, _ allowed: [String], _ policy: String, _ reader: BodyReader,
        _ problems: inout DiagnosticCollector
    ) {
        guard !allowed.contains(policy) else { return }
        problems.add(
            "\(key) applies only to Policy \(SpecDecoding.alternatives(allowed, quoted: true))",
            at: SpecDecoding.keyRange(reader, key))
    }

    static func hashPolicy(_ element: BlockReader, _ problems: inout DiagnosticCollector) -> Caravan_V1_HashPolicy {
        let body = element.body
        problems.checkKeys(body, ["Field", "FieldValue", "CookieConfig", "SourceIP", "Terminal"])
        var policy = Caravan_V1_HashPolicy()
        let fieldName = problems.choice(body, "Field", fields.map(\.0)) ?? ""
        policy.field = fields.first { $0.0 == fieldName }?.1 ?? .unspecified
        policy.fieldValue = problems.string(body, "FieldValue") ?? ""
        policy.sourceIp = problems.bool(body, "SourceIP") ?? false
        policy.terminal = problems.bool(body, "Terminal") ?? false
        if body.has("Field") && policy.sourceIp {
            problems.add("set Field or SourceIP, not both", at: SpecDecoding.keyRange(body, "SourceIP"))
        }
        if body.has("Field") && policy.fieldValue.isEmpty {
            problems.add("Field needs a FieldValue naming the \(fieldName)", at: SpecDecoding.keyRange(body, "Field"))
        }
        if !body.has("Field") && body.has("FieldValue") {
            problems.add("FieldValue needs a Field", at: SpecDecoding.keyRange(body, "FieldValue"))
        }
        if !body.has("Field") && !policy.sourceIp {
            problems.add("a hash policy needs a Field or SourceIP = true", at: element.range)
        }
        if let block = problems.block(body, "CookieConfig") {
            if fieldName != "cookie" {
                problems.add(
                    "CookieConfig applies only to Field \"cookie\"", at: SpecDecoding.keyRange(body, "CookieConfig"))
            }
            let cookie = block.body
            problems.checkKeys(cookie, ["Session", "TTL", "Path"])
            var config = Caravan_V1_CookieConfig()
            config.session = problems.bool(cookie, "Session") ?? false
            if let ttl = problems.duration(cookie, "TTL") { config.ttl = ttl }
            config.path = problems.string(cookie, "Path") ?? ""
            if config.session && cookie.has("TTL") {
                problems.add("set Session or TTL, not both", at: SpecDecoding.keyRange(cookie, "TTL"))
            }
            policy.cookieConfig = config
        }
        return policy
    }
}
