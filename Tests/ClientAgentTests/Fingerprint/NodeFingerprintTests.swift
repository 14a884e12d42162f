import CaravanProto
import Foundation
import Spec
import TestSupport
import Testing

@testable import ClientAgent

/// A fake machine root with /proc, /sys and /etc files.
private struct FixtureRoot {
    let path: String

    init(files: [String: String], directories: [String] = []) throws {
        path = try TemporaryDirectory.make(prefix: "caravan-fingerprint")
        for (relative, text) in files {
            let file = path + relative
            try FileManager.default.createDirectory(
                atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
        for directory in directories {
            try FileManager.default.createDirectory(atPath: path + directory, withIntermediateDirectories: true)
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

private let cpuinfo = """
    processor\t: 0
    vendor_id\t: GenuineIntel
    model name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz
    cpu MHz\t\t: 2099.998
    cache size\t: 28160 KB

    processor\t: 1
    model name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz
    cpu MHz\t\t: 2400.123

    processor\t: 2
    model name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz
    cpu MHz\t\t: 2099.998

    processor\t: 3
    model name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz
    cpu MHz\t\t: 2099.998

    """

private let meminfo = """
    MemTotal:        8167848 kB
    MemFree:         1234567 kB
    MemAvailable:    4567890 kB

    """

private let osRelease = """
    NAME="Ubuntu"
    VERSION="24.04.1 LTS (Noble Numbat)"
    ID=ubuntu
    ID_LIKE=debian
    VERSION_ID="24.04"
    # a comment
    """

private func standardFiles() -> [String: String] {
    [
        "/proc/cpuinfo": cpuinfo, "/proc/meminfo": meminfo, "/etc/os-release": osRelease,
        "/proc/sys/kernel/osrelease": "6.8.0-45-generic\n", "/proc/sys/kernel/arch": "x86_64\n",
        "/proc/sys/kernel/hostname": "worker-7\n",
    ]
}

@Suite("Node fingerprint")
struct NodeFingerprintTests {
    @Test("fixture /proc and /etc files become the node's attributes and resources")
    func fixtureAttributes() throws {
        let root = try FixtureRoot(files: standardFiles(), directories: ["/var/lib/caravan"])
        defer { root.remove() }
        let facts = try NodeFingerprint(root: root.path).facts(
            advertiseAddress: "10.0.0.7", dataDir: "/var/lib/caravan", hostVolumes: [:])
        let attributes = facts.attributes
        #expect(attributes["kernel.name"] == "linux")
        #expect(attributes["kernel.version"] == "6.8.0-45-generic")
        #expect(attributes["kernel.arch"] == "x86_64")
        #expect(attributes["cpu.arch"] == "amd64")
        #expect(attributes["os.name"] == "ubuntu")
        #expect(attributes["os.version"] == "24.04")
        #expect(attributes["cpu.numcores"] == "4")
        #expect(attributes["cpu.frequency"] == "2100")
        #expect(attributes["cpu.totalcompute"] == "8400")
        #expect(attributes["cpu.modelname"] == "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz")
        #expect(attributes["memory.totalbytes"] == String(8_167_848 * 1024))
        #expect(attributes["unique.hostname"] == "worker-7")
        #expect(attributes["unique.network.ip-address"] == "10.0.0.7")
        #expect(attributes["caravan.version"] != nil)
        #expect(facts.resources.cores == 4)
        #expect(facts.resources.cpuMhz == 8400)
        #expect(facts.resources.memoryMb == 7976)
        #expect(facts.resources.diskMb > 0)
        #expect(facts.networkModes == ["host"])
    }

    @Test("cpufreq's maximum is preferred over the drifting cpu MHz")
    func cpufreqPreferred() throws {
        var files = standardFiles()
        files["/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"] = "3900000\n"
        let root = try FixtureRoot(files: files, directories: ["/data"])
        defer { root.remove() }
        let facts = try NodeFingerprint(root: root.path).facts(advertiseAddress: "", dataDir: "/data", hostVolumes: [:])
        #expect(facts.attributes["cpu.frequency"] == "3900")
        #expect(facts.resources.cpuMhz == 3900 * 4)
        #expect(facts.attributes["unique.network.ip-address"] == nil)
    }

    @Test("os-release falls back to /usr/lib/os-release")
    func osReleaseFallback() throws {
        var files = standardFiles()
        files["/etc/os-release"] = nil
        files["/usr/lib/os-release"] = "ID='debian'\nVERSION_ID=\"12\"\n"
        let root = try FixtureRoot(files: files, directories: ["/data"])
        defer { root.remove() }
        let facts = try NodeFingerprint(root: root.path).facts(advertiseAddress: "", dataDir: "/data", hostVolumes: [:])
        #expect(facts.attributes["os.name"] == "debian")
        #expect(facts.attributes["os.version"] == "12")
    }

    @Test("host volumes carry over and read_only is kept")
    func hostVolumes() throws {
        let root = try FixtureRoot(files: standardFiles(), directories: ["/data", "/opt/mysql/data"])
        defer { root.remove() }
        let volumes = ["mysql": AgentConfig.HostVolume(name: "mysql", path: "/opt/mysql/data", readOnly: true)]
        let facts = try NodeFingerprint(root: root.path).facts(
            advertiseAddress: "", dataDir: "/data", hostVolumes: volumes)
        #expect(facts.hostVolumes["mysql"]?.path == "/opt/mysql/data")
        #expect(facts.hostVolumes["mysql"]?.readOnly == true)
        var node = Caravan_V1_Node()
        node.name = "kept"
        facts.apply(to: &node)
        #expect(node.name == "kept")
        #expect(node.hostVolumes["mysql"]?.name == "mysql")
        #expect(node.attributes["cpu.numcores"] == "4")
    }

    @Test("a host volume whose path is missing or a file is a startup error naming it")
    func hostVolumeErrors() throws {
        var files = standardFiles()
        files["/opt/file"] = "not a dir"
        let root = try FixtureRoot(files: files, directories: ["/data"])
        defer { root.remove() }
        let fingerprint = NodeFingerprint(root: root.path)
        let missing = ["mysql": AgentConfig.HostVolume(name: "mysql", path: "/opt/mysql/data")]
        #expect(throws: FingerprintError.hostVolume(name: "mysql", path: "/opt/mysql/data", problem: "does not exist"))
        {
            try fingerprint.facts(advertiseAddress: "", dataDir: "/data", hostVolumes: missing)
        }
        #expect(
            FingerprintError.hostVolume(name: "mysql", path: "/opt/mysql/data", problem: "does not exist").description
                == "host_volume \"mysql\": path /opt/mysql/data does not exist")
        let file = ["f": AgentConfig.HostVolume(name: "f", path: "/opt/file")]
        #expect(throws: FingerprintError.hostVolume(name: "f", path: "/opt/file", problem: "is not a directory")) {
            try fingerprint.facts(advertiseAddress: "", dataDir: "/data", hostVolumes: file)
        }
    }

    @Test("a missing data dir is an error")
    func missingDataDir() throws {
        let root = try FixtureRoot(files: standardFiles())
        defer { root.remove() }
        #expect(throws: FingerprintError.self) {
            try NodeFingerprint(root: root.path).facts(advertiseAddress: "", dataDir: "/nope", hostVolumes: [:])
        }
    }

    @Test("network modes are a parameter")
    func networkModes() throws {
        let root = try FixtureRoot(files: standardFiles(), directories: ["/data"])
        defer { root.remove() }
        let facts = try NodeFingerprint(root: root.path).facts(
            advertiseAddress: "", dataDir: "/data", hostVolumes: [:], networkModes: ["host", "bridge", "none"])
        #expect(facts.networkModes == ["host", "bridge", "none"])
    }

    @Test("the real machine has sane values")
    func realMachine() throws {
        let facts = try NodeFingerprint().facts(
            advertiseAddress: "127.0.0.1", dataDir: NSTemporaryDirectory(), hostVolumes: [:])
        #expect(facts.resources.cores >= 1)
        #expect(facts.resources.memoryMb > 0)
        #expect(facts.attributes["kernel.name"] == "linux")
        #expect(!(facts.attributes["kernel.version"] ?? "").isEmpty)
        #expect(!(facts.attributes["unique.hostname"] ?? "").isEmpty)
        #expect(Int(facts.attributes["cpu.numcores"] ?? "") ?? 0 >= 1)
        #expect(Int64(facts.attributes["memory.totalbytes"] ?? "") ?? 0 > 0)
    }
}

@Suite("Fingerprint parsers")
struct FingerprintParserTests {
    @Test("cpuinfo without cpu MHz (arm) has cores but no clock")
    func armCPUInfo() {
        let info = CPUInfo(parsing: "processor\t: 0\nBogoMIPS\t: 50.00\n\nprocessor\t: 1\nBogoMIPS\t: 50.00\n")
        #expect(info == CPUInfo(cores: 2, mhz: nil, modelName: nil))
    }

    @Test("meminfo's MemTotal is in kB")
    func memTotal() {
        #expect(parseMemTotalBytes("MemFree: 1 kB\nMemTotal:   2048 kB\n") == 2_097_152)
        #expect(parseMemTotalBytes("MemFree: 1 kB\n") == nil)
    }

    @Test("machine names map to Go architecture names")
    func architectures() {
        #expect(goArchitecture(machine: "x86_64") == "amd64")
        #expect(goArchitecture(machine: "aarch64") == "arm64")
        #expect(goArchitecture(machine: "armv7l") == "arm")
        #expect(goArchitecture(machine: "mips") == "mips")
    }
}

@Suite("Computed class")
struct ComputedClassTests {
    private func node() -> Caravan_V1_Node {
        var node = Caravan_V1_Node()
        node.id = "node-1"
        node.name = "worker-1"
        node.datacenter = "dc1"
        node.nodeClass = "web"
        node.attributes = [
            "kernel.name": "linux", "cpu.arch": "amd64", "unique.hostname": "worker-1",
            "unique.network.ip-address": "10.0.0.1",
        ]
        node.meta = ["rack": "r1"]
        var driver = Caravan_V1_DriverInfo()
        driver.detected = true
        driver.healthy = true
        driver.attributes = ["driver.exec.version": "1"]
        node.drivers = ["exec": driver]
        return node
    }

    @Test("the class is a fixed value for fixed input (stable across runs and machines)")
    func stable() {
        // Pinned so a change to the encoding (which would split every class in a cluster) is noticed.
        #expect(ComputedClass.of(node()) == "v1:6174205975329261056")
        #expect(ComputedClass.of(node()) == ComputedClass.of(node()))
    }

    @Test("unique attributes, identity and status do not change the class")
    func uniqueIgnored() {
        var other = node()
        other.id = "node-2"
        other.name = "worker-2"
        other.attributes["unique.hostname"] = "worker-2"
        other.meta["unique.serial"] = "abc"
        other.status = .down
        #expect(ComputedClass.of(other) == ComputedClass.of(node()))
    }

    @Test("datacenter, class, pool, attributes, meta and drivers change the class", arguments: 0..<7)
    func relevantFields(change: Int) {
        var other = node()
        switch change {
        case 0: other.datacenter = "dc2"
        case 1: other.nodeClass = "batch"
        case 2: other.nodePool = "gpu"
        case 3: other.attributes["kernel.name"] = "darwin"
        case 4: other.meta["rack"] = "r2"
        case 5: other.drivers["exec"]?.healthy = false
        default: other.drivers["raw_exec"] = Caravan_V1_DriverInfo()
        }
        #expect(ComputedClass.of(other) != ComputedClass.of(node()))
    }
}
