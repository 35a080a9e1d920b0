using Reference.AppHost.Publishing.Yaml;

namespace Reference.AppHost.Tests.Publishing;

public sealed class YamlWriterTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("http://identity:8080")]
    [InlineData("service.instance.id=$(POD_NAME)")]
    [InlineData("$(POD_NAME)")]
    [InlineData("")]
    [InlineData("true")]
    [InlineData("No")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("8080")]
    [InlineData("1.0.0")]
    [InlineData("0x1F")]
    [InlineData("1e3")]
    [InlineData("12:30")]
    [InlineData("2026-11-30")]
    [InlineData("key: value")]
    [InlineData("ends with colon:")]
    [InlineData("value # not a comment")]
    [InlineData("# comment")]
    [InlineData("- item")]
    [InlineData("{flow}")]
    [InlineData("[flow]")]
    [InlineData("*alias")]
    [InlineData("&anchor")]
    [InlineData("!tag")]
    [InlineData("|literal")]
    [InlineData(">folded")]
    [InlineData("'single'")]
    [InlineData("\"double\"")]
    [InlineData("line1\nline2")]
    [InlineData("back\\slash")]
    [InlineData(" leading space")]
    [InlineData("trailing space ")]
    [InlineData("cache:6379,password=$(X)")]
    [InlineData("@at")]
    [InlineData("%percent")]
    [InlineData("`backtick")]
    [InlineData("über ünïcode")]
    [InlineData("pbkdf2-sha256$600000$abc+/=$def")]
    public void Write_AnyString_ReadsBackAsTheSameString(string value)
    {
        var yaml = YamlWriter.Write(new YamlMap { { "key", value }, { "nested", new YamlMap { { value.Length == 0 ? "empty" : value, "x" } } } });

        var document = Assert.Single(YamlReader.ReadDocuments(yaml));

        Assert.Equal(value, document.Str("key"));
        Assert.Equal("x", document.Map("nested").Str(value.Length == 0 ? "empty" : value));
    }

    [Fact]
    public void Write_NestedSequencesOfMappings_ReadsBackTheSameStructure()
    {
        var yaml = YamlWriter.WriteDocuments(
        [
            (["a comment", "", "another"], new YamlMap
            {
                { "list", new List<object> { new YamlMap { { "a", 1 }, { "b", new YamlMap { { "c", true } } }, { "d", new List<object> { "x", "y" } } }, "scalar" } },
                { "empty", new YamlMap() },
                { "none", new List<object>() },
                { "skipped", null },
            }),
            ([], new YamlMap { { "second", "doc" } }),
        ]);

        var documents = YamlReader.ReadDocuments(yaml);

        Assert.Equal(2, documents.Count);
        var list = documents[0].List("list");
        var item = Assert.IsType<Dictionary<string, object>>(list[0]);
        Assert.Equal(1, item.Number("a"));
        Assert.True(item.Map("b").Bool("c"));
        Assert.Equal(new object[] { "x", "y" }, item.List("d"));
        Assert.Equal("scalar", list[1]);
        Assert.Empty(documents[0].Map("empty"));
        Assert.Empty(documents[0].List("none"));
        Assert.False(documents[0].ContainsKey("skipped"));
        Assert.Equal("doc", documents[1].Str("second"));
        Assert.StartsWith("# a comment\n#\n# another\n", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_DuplicateKey_Throws()
    {
        var map = new YamlMap { { "a", "1" } };

        Assert.Throws<InvalidOperationException>(() => map.Add("a", "2"));
    }
}
