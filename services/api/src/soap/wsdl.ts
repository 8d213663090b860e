/**
 * The WSDL 1.1 of the SOAP 1.1 binding (document/literal): the same connection operations as the
 * REST API, for GRID middleware that only speaks SOAP (seed 001 Fig. 3).
 */
export const SOAP_NS = 'urn:svpn:connection:1';
export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** Operation name → whether its request names a connection. */
export const SOAP_OPERATIONS = {
  reserve: false,
  reserveCommit: true,
  reserveAbort: true,
  provision: true,
  release: true,
  terminate: true,
  modify: true,
  querySummarySync: false,
} as const;
export type SoapOperation = keyof typeof SOAP_OPERATIONS;

export function wsdl(location: string): string {
  const ops = Object.keys(SOAP_OPERATIONS) as SoapOperation[];
  const messages = ops
    .map(
      (op) =>
        `  <wsdl:message name="${op}Request"><wsdl:part name="body" element="tns:${op}"/></wsdl:message>\n` +
        `  <wsdl:message name="${op}Response"><wsdl:part name="body" element="tns:${op}Response"/></wsdl:message>`,
    )
    .join('\n');
  const portOps = ops
    .map(
      (op) =>
        `    <wsdl:operation name="${op}"><wsdl:input message="tns:${op}Request"/><wsdl:output message="tns:${op}Response"/><wsdl:fault name="serviceException" message="tns:serviceException"/></wsdl:operation>`,
    )
    .join('\n');
  const bindingOps = ops
    .map(
      (op) =>
        `    <wsdl:operation name="${op}"><soap:operation soapAction="${SOAP_NS}/${op}" style="document"/>` +
        `<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>` +
        `<wsdl:fault name="serviceException"><soap:fault name="serviceException" use="literal"/></wsdl:fault></wsdl:operation>`,
    )
    .join('\n');
  const idOps = ops
    .filter((op) => SOAP_OPERATIONS[op] && op !== 'modify')
    .map((op) => `      <xsd:element name="${op}" type="tns:ConnectionIdType"/>`)
    .join('\n');
  const responses = ops
    .filter((op) => op !== 'querySummarySync')
    .map((op) => `      <xsd:element name="${op}Response" type="tns:ConnectionResponseType"/>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="SvpnConnectionService" targetNamespace="${SOAP_NS}"
  xmlns:tns="${SOAP_NS}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
  xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <wsdl:types>
    <xsd:schema targetNamespace="${SOAP_NS}" elementFormDefault="unqualified">
      <xsd:complexType name="EndpointType"><xsd:sequence>
        <xsd:element name="application" type="xsd:string"/>
        <xsd:element name="ce" type="xsd:string" minOccurs="0"/>
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="ConnectionIdType"><xsd:sequence>
        <xsd:element name="connectionId" type="xsd:string"/>
      </xsd:sequence></xsd:complexType>
      <xsd:element name="reserve"><xsd:complexType><xsd:sequence>
        <xsd:element name="description" type="xsd:string" minOccurs="0"/>
        <xsd:element name="globalReservationId" type="xsd:string" minOccurs="0"/>
        <xsd:element name="vpnId" type="xsd:string"/>
        <xsd:element name="source" type="tns:EndpointType"/>
        <xsd:element name="destination" type="tns:EndpointType"/>
        <xsd:element name="bandwidthBps" type="xsd:long"/>
        <xsd:element name="serviceClass" type="xsd:string" minOccurs="0"/>
        <xsd:element name="priority" type="xsd:string" minOccurs="0"/>
        <xsd:element name="startTime" type="xsd:dateTime" minOccurs="0"/>
        <xsd:element name="endTime" type="xsd:dateTime" minOccurs="0"/>
        <xsd:element name="autoCommit" type="xsd:boolean" minOccurs="0"/>
        <xsd:element name="autoProvision" type="xsd:boolean" minOccurs="0"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="modify"><xsd:complexType><xsd:sequence>
        <xsd:element name="connectionId" type="xsd:string"/>
        <xsd:element name="bandwidthBps" type="xsd:long" minOccurs="0"/>
        <xsd:element name="endTime" type="xsd:dateTime" minOccurs="0"/>
        <xsd:element name="autoCommit" type="xsd:boolean" minOccurs="0"/>
      </xsd:sequence></xsd:complexType></xsd:element>
${idOps}
      <xsd:element name="querySummarySync"><xsd:complexType><xsd:sequence>
        <xsd:element name="connectionId" type="xsd:string" minOccurs="0" maxOccurs="unbounded"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:complexType name="ConnectionType"><xsd:sequence>
        <xsd:any processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="ConnectionResponseType"><xsd:sequence>
        <xsd:element name="connection" type="tns:ConnectionType"/>
      </xsd:sequence></xsd:complexType>
${responses}
      <xsd:element name="querySummarySyncResponse"><xsd:complexType><xsd:sequence>
        <xsd:element name="connection" type="tns:ConnectionType" minOccurs="0" maxOccurs="unbounded"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="serviceException"><xsd:complexType><xsd:sequence>
        <xsd:element name="nsiErrorId" type="xsd:string"/>
        <xsd:element name="code" type="xsd:string"/>
        <xsd:element name="text" type="xsd:string"/>
        <xsd:element name="connectionId" type="xsd:string" minOccurs="0"/>
      </xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>
  </wsdl:types>
${messages}
  <wsdl:message name="serviceException"><wsdl:part name="fault" element="tns:serviceException"/></wsdl:message>
  <wsdl:portType name="ConnectionProviderPort">
${portOps}
  </wsdl:portType>
  <wsdl:binding name="ConnectionProviderSoapBinding" type="tns:ConnectionProviderPort">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
${bindingOps}
  </wsdl:binding>
  <wsdl:service name="SvpnConnectionService">
    <wsdl:port name="ConnectionProviderPort" binding="tns:ConnectionProviderSoapBinding">
      <soap:address location="${location}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}
