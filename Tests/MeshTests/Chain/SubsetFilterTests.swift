import CaravanProto
import Mesh
import Testing

@Suite("Subset filters")
struct SubsetFilterTests {
    static let instance: Caravan_V1_ServiceInstance = {
        var instance = Caravan_V1_ServiceInstance()
        instance.id = "alloc-1-api-http"
        instance.name = "api"
        instance.nodeName = "worker-3"
        instance.datacenter = "dc1"
        instance.tags = ["canary", "blue"]
        instance.meta = ["version": "v2", "zone": "eu-west-1a", "empty": ""]
        return instance
    }()

    static let cases: [(String, Bool)] = [
        ("", true),
        ("Service.Meta.version == v2", true),
        ("Service.Meta.version == \"v1\"", false),
        ("Service.Meta.version != v1", true),
        ("Service.Meta.missing == \"\"", true),
        ("Service.Meta.empty is empty", true),
        ("Service.Meta.version is not empty", true),
        ("Service.Meta.missing is empty", true),
        ("Service.Tags contains canary", true),
        ("Service.Tags not contains canary", false),
        ("canary in Service.Tags", true),
        ("\"green\" in Service.Tags", false),
        ("green not in Service.Tags", true),
        ("Service.Tags is not empty", true),
        ("zone in Service.Meta", true),
        ("Service.Meta contains nothing", false),
        ("Service.ID == alloc-1-api-http", true),
        ("Service.Service == api", true),
        ("Node.Node matches \"^worker-[0-9]+$\"", true),
        ("Node.Node not matches \"^db-\"", true),
        ("Node.Datacenter == dc2", false),
        ("Service.Meta.zone contains west", true),
        ("Service.Meta.version == v2 and Node.Datacenter == dc2", false),
        ("Service.Meta.version == v1 or Node.Datacenter == dc1", true),
        ("not Service.Meta.version == v2", false),
        ("not (Service.Meta.version == v1 or canary in Service.Tags)", false),
        ("Service.Meta.version == v1 or Service.Meta.zone == eu-west-1a and blue in Service.Tags", true),
        ("(Service.Meta.version == v1 or Service.Meta.zone == eu-west-1a) and red in Service.Tags", false),
        ("Service.Meta.version==v2", true),
    ]

    @Test("filters parse and evaluate against an instance as Consul's bexpr does", arguments: cases)
    func evaluates(filter: String, expected: Bool) throws {
        let parsed = try SubsetFilter(parsing: filter)
        #expect(parsed.matches(Self.instance) == expected, "\(filter)")
    }

    static let errors: [(String, SubsetFilterError)] = [
        (
            "Service.Meta.version = v1",
            SubsetFilterError(column: 22, message: "expected \"==\" but found \"=\" alone")
        ),
        (
            "Service.Name == api",
            SubsetFilterError(
                column: 1,
                message: "unknown selector \"Service.Name\"; use one of Service.ID, Service.Service, Service.Tags, "
                    + "Service.Meta, Service.Meta.<key>, Node.Node, Node.Datacenter")
        ),
        (
            "Service.Tags == canary",
            SubsetFilterError(
                column: 14,
                message: "Service.Tags is a list; use contains, not contains, in, not in, is empty or is not empty")
        ),
        (
            "(Service.Meta.version == v1",
            SubsetFilterError(
                column: 28, message: "expected \")\" to close the \"(\" at column 1 but found the end of the filter")
        ),
        (
            "Service.Meta.version == \"v1",
            SubsetFilterError(column: 25, message: "this quoted string is never closed")
        ),
        (
            "Node.Node matches \"([a-z\"",
            SubsetFilterError(column: 19, message: "\"([a-z\" is not a valid regular expression")
        ),
        (
            "Service.Meta.version is v1",
            SubsetFilterError(column: 25, message: "expected \"empty\" after \"is\" but found \"v1\"")
        ),
        (
            "Service.Meta.version == v1 v2",
            SubsetFilterError(
                column: 28, message: "expected \"and\", \"or\" or the end of the filter but found \"v2\"")
        ),
        (
            "Service.Meta.version v1",
            SubsetFilterError(
                column: 22,
                message: "expected an operator (==, !=, is empty, is not empty, contains, not contains, matches, "
                    + "not matches) after Service.Meta.version but found \"v1\"")
        ),
    ]

    @Test("parse errors name the column and what was expected", arguments: errors)
    func rejects(filter: String, expected: SubsetFilterError) {
        #expect(throws: expected) { try SubsetFilter(parsing: filter) }
    }
}
