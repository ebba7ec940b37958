using System.Text.Json;
using System.Text.Json.Serialization;

namespace RemoteLogin.Vocabulary;

/// <summary>Writes and reads vocabulary enums in results.json exactly as the command line spells them (<see cref="VocabularyNames"/>).</summary>
public sealed class VocabularyJsonConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum && typeToConvert.Namespace == typeof(BufferStrategy).Namespace;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(NameConverter<>).MakeGenericType(typeToConvert))!;

    private sealed class NameConverter<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            VocabularyNames.TryParse<T>(reader.GetString() ?? "", out var value)
                ? value
                : throw new JsonException($"'{reader.GetString()}' is not one of {string.Join(", ", VocabularyNames.All<T>())}");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name());
    }
}
