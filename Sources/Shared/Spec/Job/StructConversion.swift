import HCL
import SwiftProtobuf

/// Converts evaluated HCL values to `google.protobuf.Struct`, for driver and proxy settings Caravan passes on.
enum StructConversion {
    static func structure(_ object: ObjectValue) -> Google_Protobuf_Struct {
        var fields: [String: Google_Protobuf_Value] = [:]
        for (key, member) in object { fields[key] = value(member) }
        return Google_Protobuf_Struct(fields: fields)
    }

    /// Numbers become doubles, as in every `google.protobuf.Value`.
    static func value(_ value: Value) -> Google_Protobuf_Value {
        switch value {
        case .null: Google_Protobuf_Value(nilLiteral: ())
        case .bool(let flag): Google_Protobuf_Value(boolValue: flag)
        case .number(let number): Google_Protobuf_Value(numberValue: number.double)
        case .string(let text): Google_Protobuf_Value(stringValue: text)
        case .tuple(let elements):
            Google_Protobuf_Value(listValue: Google_Protobuf_ListValue(values: elements.map { Self.value($0) }))
        case .object(let object): Google_Protobuf_Value(structValue: structure(object))
        }
    }
}
