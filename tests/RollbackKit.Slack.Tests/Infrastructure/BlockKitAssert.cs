using System.Text.Json;

namespace RollbackKit.Slack.Tests.Infrastructure;

/// <summary>Checks messages against Slack's documented Block Kit layout rules.</summary>
public static class BlockKitAssert
{
    private static readonly string[] s_blockTypes = ["section", "context", "actions", "divider", "header"];

    /// <summary>Asserts a message body: non-empty <c>text</c> fallback and a valid <c>blocks</c> array; returns the blocks.</summary>
    public static JsonElement[] ValidMessage(JsonElement message)
    {
        Assert.Equal(JsonValueKind.Object, message.ValueKind);
        Assert.True(message.TryGetProperty("text", out var text), "message has no text fallback");
        Assert.Equal(JsonValueKind.String, text.ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(text.GetString()));
        Assert.True(message.TryGetProperty("blocks", out var blocks), "message has no blocks");
        Assert.Equal(JsonValueKind.Array, blocks.ValueKind);
        var list = blocks.EnumerateArray().ToArray();
        Assert.InRange(list.Length, 1, 50);
        foreach (var block in list)
        {
            ValidBlock(block);
        }

        return list;
    }

    public static void ValidBlock(JsonElement block)
    {
        var type = block.GetProperty("type").GetString();
        Assert.Contains(type, s_blockTypes);
        if (block.TryGetProperty("block_id", out var blockId))
        {
            Assert.InRange(blockId.GetString()!.Length, 1, 255);
        }

        switch (type)
        {
            case "section":
                var hasText = block.TryGetProperty("text", out var text);
                var hasFields = block.TryGetProperty("fields", out var fields);
                Assert.True(hasText || hasFields, "section needs text or fields");
                if (hasText)
                {
                    ValidText(text, 3000);
                }

                if (hasFields)
                {
                    var items = fields.EnumerateArray().ToArray();
                    Assert.InRange(items.Length, 1, 10);
                    foreach (var f in items)
                    {
                        ValidText(f, 2000);
                    }
                }

                break;
            case "context":
                var elements = block.GetProperty("elements").EnumerateArray().ToArray();
                Assert.InRange(elements.Length, 1, 10);
                foreach (var e in elements)
                {
                    ValidText(e, 3000);
                }

                break;
            case "actions":
                var buttons = block.GetProperty("elements").EnumerateArray().ToArray();
                Assert.InRange(buttons.Length, 1, 25);
                foreach (var b in buttons)
                {
                    ValidButton(b);
                }

                break;
        }
    }

    public static void ValidText(JsonElement text, int maxLength)
    {
        var type = text.GetProperty("type").GetString();
        Assert.Contains(type, new[] { "mrkdwn", "plain_text" });
        var value = text.GetProperty("text").GetString();
        Assert.False(string.IsNullOrEmpty(value));
        Assert.True(value!.Length <= maxLength, $"text longer than {maxLength}");
    }

    public static void ValidButton(JsonElement button)
    {
        Assert.Equal("button", button.GetProperty("type").GetString());
        var text = button.GetProperty("text");
        Assert.Equal("plain_text", text.GetProperty("type").GetString());
        Assert.InRange(text.GetProperty("text").GetString()!.Length, 1, 75);
        Assert.InRange(button.GetProperty("action_id").GetString()!.Length, 1, 255);
        Assert.InRange(button.GetProperty("value").GetString()!.Length, 1, 2000);
        if (button.TryGetProperty("style", out var style))
        {
            Assert.Contains(style.GetString(), new[] { "primary", "danger" });
        }
    }

    /// <summary>All mrkdwn/plain text in the blocks, joined.</summary>
    public static string AllText(JsonElement message)
    {
        var parts = new List<string>();
        Collect(message.GetProperty("blocks"), parts);
        return string.Join("\n", parts);

        static void Collect(JsonElement e, List<string> parts)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    if (e.TryGetProperty("type", out var t) && t.GetString() is "mrkdwn" or "plain_text" && e.TryGetProperty("text", out var s))
                    {
                        parts.Add(s.GetString()!);
                    }

                    foreach (var p in e.EnumerateObject())
                    {
                        Collect(p.Value, parts);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                    {
                        Collect(item, parts);
                    }

                    break;
            }
        }
    }
}
