using System.Text.Json.Serialization;

namespace Reference.IdentityProvider.ResponseHandling;

/// <summary>OpenID Connect Discovery 1.0 §3 / RFC 8414 §2 metadata, limited to what this IdentityProvider implements.</summary>
/// <remarks><c>registration_endpoint</c> (RECOMMENDED) is absent: clients are registered in configuration only.</remarks>
internal sealed record DiscoveryDocument
{
    [JsonPropertyName("issuer")]
    public required string Issuer { get; init; }

    [JsonPropertyName("authorization_endpoint")]
    public required string AuthorizationEndpoint { get; init; }

    [JsonPropertyName("token_endpoint")]
    public required string TokenEndpoint { get; init; }

    [JsonPropertyName("userinfo_endpoint")]
    public required string UserInfoEndpoint { get; init; }

    [JsonPropertyName("jwks_uri")]
    public required string JwksUri { get; init; }

    [JsonPropertyName("end_session_endpoint")]
    public required string EndSessionEndpoint { get; init; }

    [JsonPropertyName("introspection_endpoint")]
    public required string IntrospectionEndpoint { get; init; }

    [JsonPropertyName("revocation_endpoint")]
    public required string RevocationEndpoint { get; init; }

    [JsonPropertyName("scopes_supported")]
    public required IReadOnlyList<string> ScopesSupported { get; init; }

    [JsonPropertyName("claims_supported")]
    public required IReadOnlyList<string> ClaimsSupported { get; init; }

    [JsonPropertyName("response_types_supported")]
    public required IReadOnlyList<string> ResponseTypesSupported { get; init; }

    [JsonPropertyName("response_modes_supported")]
    public required IReadOnlyList<string> ResponseModesSupported { get; init; }

    [JsonPropertyName("grant_types_supported")]
    public required IReadOnlyList<string> GrantTypesSupported { get; init; }

    [JsonPropertyName("subject_types_supported")]
    public required IReadOnlyList<string> SubjectTypesSupported { get; init; }

    [JsonPropertyName("id_token_signing_alg_values_supported")]
    public required IReadOnlyList<string> IdTokenSigningAlgValuesSupported { get; init; }

    [JsonPropertyName("code_challenge_methods_supported")]
    public required IReadOnlyList<string> CodeChallengeMethodsSupported { get; init; }

    [JsonPropertyName("token_endpoint_auth_methods_supported")]
    public required IReadOnlyList<string> TokenEndpointAuthMethodsSupported { get; init; }

    [JsonPropertyName("introspection_endpoint_auth_methods_supported")]
    public required IReadOnlyList<string> IntrospectionEndpointAuthMethodsSupported { get; init; }

    [JsonPropertyName("revocation_endpoint_auth_methods_supported")]
    public required IReadOnlyList<string> RevocationEndpointAuthMethodsSupported { get; init; }

    [JsonPropertyName("prompt_values_supported")]
    public required IReadOnlyList<string> PromptValuesSupported { get; init; }

    [JsonPropertyName("claims_parameter_supported")]
    public bool ClaimsParameterSupported { get; init; }

    [JsonPropertyName("request_parameter_supported")]
    public bool RequestParameterSupported { get; init; }

    [JsonPropertyName("request_uri_parameter_supported")]
    public bool RequestUriParameterSupported { get; init; }

    [JsonPropertyName("backchannel_logout_supported")]
    public bool BackChannelLogoutSupported { get; init; }

    [JsonPropertyName("backchannel_logout_session_supported")]
    public bool BackChannelLogoutSessionSupported { get; init; }

    [JsonPropertyName("authorization_response_iss_parameter_supported")]
    public bool AuthorizationResponseIssParameterSupported { get; init; }
}
