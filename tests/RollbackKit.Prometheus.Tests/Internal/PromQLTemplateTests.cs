using RollbackKit.Prometheus.Internal;

namespace RollbackKit.Prometheus.Tests.Internal;

public sealed class PromQLTemplateTests
{
    private static string Render(string template, Dictionary<string, string> values) =>
        PromQLTemplate.Render(template, name => values.GetValueOrDefault(name));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("line\nbreak\r\t", "line\\nbreak\\r\\t")]
    [InlineData("x\"} or vector(1) #", "x\\\"} or vector(1) #")]
    [InlineData("bell\u0007", "bell\\u0007")]
    [InlineData("it's", "it's")]
    public void EscapeLabelValue_DoubleQuoted_EscapesQuotesBackslashesAndControls(string value, string expected) =>
        Assert.Equal(expected, PromQLTemplate.EscapeLabelValue(value));

    [Fact]
    public void Render_ValueInDoubleQuotes_IsEscaped()
    {
        var result = Render("up{name=\"{{name}}\"}", new() { ["name"] = "x\"} or vector(1) #" });

        Assert.Equal("up{name=\"x\\\"} or vector(1) #\"}", result);
    }

    [Fact]
    public void Render_ValueInSingleQuotes_EscapesSingleQuoteOnly()
    {
        var result = Render("up{name='{{name}}'}", new() { ["name"] = "a'b\"c" });

        Assert.Equal("up{name='a\\'b\"c'}", result);
    }

    [Fact]
    public void Render_PlainTokenOutsideQuotes_IsInsertedAsIs()
    {
        Assert.Equal("rate(x[5m])", Render("rate(x[{{ interval }}])", new() { ["interval"] = "5m" }));
    }

    [Theory]
    [InlineData("rate(x[{{v}}])", "5m]) or vector(1")]
    [InlineData("x{a=`{{v}}`}", "b`} or vector(1) #")]
    [InlineData("x > {{v}}", "")]
    public void Render_UnsafeValueOutsideEscapableString_Throws(string template, string value)
    {
        var ex = Assert.Throws<FormatException>(() => Render(template, new() { ["v"] = value }));

        Assert.Contains("{{v}}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MissingValue_ThrowsNamingPlaceholder()
    {
        var ex = Assert.Throws<FormatException>(() => Render("up{a=\"{{version}}\"}", []));

        Assert.Contains("{{version}}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EscapedQuoteInTemplateString_KeepsStringContext()
    {
        var result = Render("x{a=\"q\\\"{{name}}\"}", new() { ["name"] = "a\"b" });

        Assert.Equal("x{a=\"q\\\"a\\\"b\"}", result);
    }

    [Fact]
    public void Render_PlaceholderInComment_IsLeftAlone()
    {
        Assert.Equal("up # {{name}}\n", Render("up # {{name}}\n", []));
    }
}
