using System.Net;
using System.Text.Json;

namespace Reference.SampleServices.Tests;

internal static class ResponseAssertions
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static async Task AssertBearerErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error, string challengeStart)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.StartsWith(challengeStart, Assert.Single(response.Headers.WwwAuthenticate).ToString(), StringComparison.Ordinal);
        Assert.Equal(error, (await response.JsonAsync()).GetProperty("error").GetString());
    }
}
