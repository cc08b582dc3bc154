using System.Text.Json.Nodes;
using RollbackKit.Kubernetes.Emulator;

namespace RollbackKit.Kubernetes.Tests.Emulator;

public sealed class JsonPatchingTests
{
    [Fact]
    public void ApplyJsonPatch_AllOperations_FollowRfc6902()
    {
        var doc = JsonNode.Parse("""{"a":{"b":1,"c":[1,2,3]},"x/y":"s"}""")!;
        var patch = JsonNode.Parse("""
            [{"op":"add","path":"/a/c/1","value":9},{"op":"remove","path":"/a/c/0"},{"op":"replace","path":"/a/b","value":2},
             {"op":"copy","from":"/a/b","path":"/d"},{"op":"move","from":"/x~1y","path":"/z"},{"op":"test","path":"/d","value":2},
             {"op":"add","path":"/a/c/-","value":4}]
            """)!.AsArray();
        var result = JsonPatching.ApplyJsonPatch(doc, patch);
        Assert.Equal("""{"a":{"b":2,"c":[9,2,3,4]},"d":2,"z":"s"}""", result.ToJsonString());
        Assert.Equal("""{"a":{"b":1,"c":[1,2,3]},"x/y":"s"}""", doc.ToJsonString());
    }

    [Fact]
    public void ApplyJsonPatch_FailedTest_Throws() =>
        Assert.Throws<InvalidOperationException>(() => JsonPatching.ApplyJsonPatch(JsonNode.Parse("""{"a":1}""")!, JsonNode.Parse("""[{"op":"test","path":"/a","value":2}]""")!.AsArray()));

    [Fact]
    public void ApplyStrategicMergePatch_DeleteDirective_RemovesNamedItem()
    {
        var doc = JsonNode.Parse("""{"containers":[{"name":"a","image":"1"},{"name":"b","image":"2"}]}""");
        var result = JsonPatching.ApplyStrategicMergePatch(doc, JsonNode.Parse("""{"containers":[{"name":"a","$patch":"delete"}],"$setElementOrder/containers":[{"name":"b"}]}"""));
        Assert.Equal("""{"containers":[{"name":"b","image":"2"}]}""", result!.ToJsonString());
    }

    [Fact]
    public void SimpleYaml_BlockDocument_ParsesToJson()
    {
        var json = SimpleYaml.Parse("""
            # comment
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: "quoted"
              labels:
                app: web
            data:
              n: "1"
              flag: true
            list:
              - a
              - name: x
                value: 2
            flow: {"k": [1, 2]}
            """);
        Assert.Equal("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"quoted","labels":{"app":"web"}},"data":{"n":"1","flag":true},"list":["a",{"name":"x","value":2}],"flow":{"k":[1,2]}}""", json!.ToJsonString());
    }
}
